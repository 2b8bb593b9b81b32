//! OCEL 2.0 export (placeholder).
