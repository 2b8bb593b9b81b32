//! The egui screens: scenario picker, play overlay, debrief. Pure functions over `UiModel`, so
//! egui_kittest can click through them without a window.

use bevy_egui::egui::{self, Color32, RichText};

use super::model::{Mode, Screen, UiModel, score_line};
use crate::protocol::{Effect, RiskLevel};
use crate::sim::engine::Status;

/// Colour and words for a status: never colour alone.
pub fn status_style(s: Status) -> (Color32, &'static str) {
    match s {
        Status::Met => (Color32::from_rgb(40, 140, 70), "MET"),
        Status::Late => (Color32::from_rgb(200, 130, 0), "LATE"),
        Status::Missed => (Color32::from_rgb(190, 40, 40), "MISSED"),
        Status::Wrongful => (Color32::from_rgb(150, 30, 120), "WRONGFUL"),
        Status::Cancelled => (Color32::GRAY, "CANCELLED"),
        Status::Withdrawn => (Color32::GRAY, "WITHDRAWN"),
        Status::Early => (Color32::from_rgb(200, 130, 0), "EARLY"),
        Status::NotApplicable => (Color32::GRAY, "N/A"),
        Status::Open => (Color32::from_rgb(40, 90, 170), "OPEN"),
    }
}

/// Draw the whole app into `ui` (the Bevy host passes a viewport-sized background Ui).
pub fn draw(ui: &mut egui::Ui, m: &mut UiModel) {
    error_panel(ui, m);
    match m.screen {
        Screen::Picker => picker(ui, m),
        Screen::Play => play(ui, m),
        Screen::Debrief => debrief(ui, m),
        Screen::Stress => {
            let d = m.dashboard.get_or_insert_with(super::dashboard::Dashboard::new);
            if super::dashboard::draw(ui, d) {
                m.screen = Screen::Picker;
            }
        }
    }
}

fn error_panel(ui: &mut egui::Ui, m: &mut UiModel) {
    if m.errors.is_empty() {
        return;
    }
    egui::Panel::bottom("errors").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(
                RichText::new("Problems in files")
                    .strong()
                    .color(Color32::from_rgb(190, 40, 40)),
            );
            if ui.button("Dismiss").clicked() {
                m.errors.clear();
            }
        });
        egui::ScrollArea::vertical().max_height(120.0).show(ui, |ui| {
            for e in &m.errors {
                ui.label(RichText::new(e).monospace());
            }
        });
    });
}

fn picker(ui: &mut egui::Ui, m: &mut UiModel) {
    egui::CentralPanel::default().show(ui, |ui| {
        ui.heading("Safe Return — rehearse a missing-child protocol");
        ui.label("Pick a scenario and a mode. Roles you do not play act by the book.");
        ui.add_space(6.0);
        if let Some(save) = m.resume.clone() {
            ui.group(|ui| {
                ui.label(format!(
                    "You have an unfinished session: {} at +{:.1} h ({} actions).",
                    save.title,
                    save.hours,
                    save.decisions.actions.len()
                ));
                if ui.button("Resume saved session").clicked() {
                    m.resume_saved();
                }
            });
        }
        ui.horizontal(|ui| {
            ui.label("UI scale:");
            ui.add(egui::Slider::new(&mut m.ui_scale, 0.6..=2.0).step_by(0.1));
        });
        ui.horizontal(|ui| {
            ui.label("Mode:");
            ui.selectable_value(&mut m.mode, Mode::Practice, "Practice (deadlines shown)");
            ui.selectable_value(&mut m.mode, Mode::Assessment, "Assessment (hidden until debrief)");
        });
        ui.separator();
        egui::ScrollArea::vertical()
            .max_height(ui.available_height() - 60.0)
            .show(ui, |ui| {
                for i in 0..m.scenarios.len() {
                    let entry = &m.scenarios[i];
                    match &entry.loaded {
                        Ok(sc) => {
                            let s = &sc.scenario;
                            let selected = m.selected == i;
                            let r = ui.selectable_label(selected, RichText::new(&s.title).strong().size(16.0));
                            let role = sc
                                .protocol
                                .role(&s.trainee_role)
                                .map_or(s.trainee_role.as_str(), |r| &r.name);
                            ui.label(format!(
                                "{} · you play: {} · about {} min · {} h simulated",
                                sc.protocol.title, role, s.estimated_minutes, s.duration_hours
                            ));
                            if selected {
                                ui.label(&s.summary);
                                for o in &s.learning_objectives {
                                    ui.label(format!("• {o}"));
                                }
                            }
                            if r.clicked() {
                                m.selected = i;
                            }
                        }
                        Err(_) => {
                            ui.label(
                                RichText::new(format!(
                                    "{} — cannot be loaded (see Problems below)",
                                    entry.path.display()
                                ))
                                .color(Color32::from_rgb(190, 40, 40)),
                            );
                        }
                    }
                    ui.separator();
                }
            });
        ui.horizontal(|ui| {
            if ui.button(RichText::new("Start scenario").size(16.0)).clicked() {
                m.start();
            }
            ui.separator();
            if ui.button("Stress-test a protocol revision (policy teams)").clicked() {
                m.screen = Screen::Stress;
            }
        });
    });
}

fn play(ui: &mut egui::Ui, m: &mut UiModel) {
    let mut act: Option<String> = None;
    let mut end = false;
    let sim_ms = m.sim_step_ms;
    let Some(s) = m.session.as_mut() else {
        m.screen = Screen::Picker;
        return;
    };
    egui::Panel::top("clock").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(s.engine.now.format("%a %d %b %Y  %H:%M").to_string())
                    .strong()
                    .size(18.0),
            );
            match s.hours_missing() {
                Some(h) => ui.label(RichText::new(format!("missing {h:.1} h")).color(Color32::from_rgb(190, 40, 40))),
                None => ui.label("child not away"),
            };
            ui.separator();
            if ui
                .button(if s.paused {
                    "▶ Play (Space)"
                } else {
                    "⏸ Pause (Space)"
                })
                .clicked()
            {
                s.paused = !s.paused;
                s.prompt = None;
            }
            for (k, sp) in [(1, 1.0), (2, 60.0), (3, 600.0), (4, 3600.0)] {
                if ui
                    .selectable_label(s.speed == sp, format!("{}× ({k})", sp as i64))
                    .clicked()
                {
                    s.speed = sp;
                }
            }
            if ui.button("Next event (N)").clicked() {
                s.next_event();
            }
            ui.separator();
            if ui.button("End and debrief").clicked() {
                end = true;
            }
        });
        ui.horizontal(|ui| {
            let id = &s.scenario.scenario.trainee_role;
            let role = s.scenario.protocol.role(id).map_or(id.as_str(), |r| &r.name);
            ui.label(format!(
                "{} — you play: {} · {:?} mode",
                s.scenario.scenario.title, role, s.mode
            ));
            if let Some(q) = &s.demo {
                ui.label(
                    RichText::new(format!("DEMONSTRATION: {} scripted decisions to come", q.len()))
                        .strong()
                        .color(Color32::from_rgb(150, 30, 120)),
                );
            }
            if let Some(ms) = sim_ms {
                ui.label(RichText::new(format!("simulation {ms:.2} ms/frame")).small().weak());
            }
        });
    });
    egui::Panel::left("actions")
        .default_size(340.0)
        .max_size(460.0)
        .show(ui, |ui| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
            ui.heading("Your actions");
            ui.label("Actions your role has under this protocol; those with a duty open now come first.");
            ui.horizontal(|ui| {
                let l = ui.label("Note / rationale:");
                ui.text_edit_singleline(&mut s.note).labelled_by(l.id);
            });
            let can = !s.note.trim().is_empty();
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(can, egui::Button::new("Record a decision not to act"))
                    .on_disabled_hover_text("Write the rationale in the note first")
                    .clicked()
                {
                    act = Some(crate::sim::engine::NO_ACTION.to_string());
                }
                if !can {
                    ui.label(RichText::new("(write the rationale in the note first)").small().weak());
                }
            });
            ui.separator();
            egui::ScrollArea::vertical().id_salt("acts").show(ui, |ui| {
                for (id, name, open) in s.available_actions() {
                    let effects = s.action_effects(&id);
                    ui.horizontal_wrapped(|ui| {
                        let label = if open && s.mode == Mode::Practice {
                            format!("{name}  (due)")
                        } else {
                            name.clone()
                        };
                        // A judgement needs its answer first: the category, or the grading.
                        let missing = if effects.contains(&Effect::Classifies) && s.category.is_none() {
                            Some("choose the category below first")
                        } else if effects.contains(&Effect::GradesRisk) && s.grade.is_none() {
                            Some("choose the grading below first")
                        } else {
                            None
                        };
                        let b = ui.add_enabled(missing.is_none(), egui::Button::new(label));
                        if let Some(why) = missing {
                            b.clone().on_disabled_hover_text(why);
                            ui.label(RichText::new(format!("({why})")).small().weak());
                        }
                        if b.clicked() {
                            act = Some(id.clone());
                        }
                    });
                    if effects.contains(&Effect::GradesRisk) {
                        ui.horizontal(|ui| {
                            ui.label("   grade:");
                            for g in [RiskLevel::High, RiskLevel::Medium, RiskLevel::Low] {
                                ui.selectable_value(&mut s.grade, Some(g), format!("{g:?}"));
                            }
                        });
                    }
                    if effects.contains(&Effect::Classifies) {
                        ui.horizontal_wrapped(|ui| {
                            ui.label("   as:");
                            for c in s.scenario.protocol.categories.clone() {
                                ui.selectable_value(&mut s.category, Some(c.id.clone()), c.name.clone());
                            }
                        });
                    }
                    action_form(ui, s, &id);
                }
                tool_form(ui, s);
            });
        });
    egui::Panel::right("case")
        .default_size(380.0)
        .max_size(480.0)
        .show(ui, |ui| {
            if s.mode == Mode::Practice {
                ui.heading("Upcoming deadlines");
                let up = s.upcoming();
                if up.is_empty() {
                    ui.label("Nothing due.");
                }
                for (due, name, rule) in up.iter().take(8) {
                    let overdue = due.is_some_and(|d| d < s.engine.now);
                    let when = due
                        .map(|d| d.format("%a %H:%M").to_string())
                        .unwrap_or("no time limit".into());
                    let txt = format!("{} {when} — {name} [{rule}]", if overdue { "OVERDUE" } else { "due" });
                    ui.label(RichText::new(txt).color(if overdue {
                        Color32::from_rgb(190, 40, 40)
                    } else {
                        Color32::from_rgb(40, 90, 170)
                    }));
                }
                ui.separator();
                let settled = s.settled();
                if !settled.is_empty() {
                    ui.heading("Feedback so far");
                    for (status, name, rule, why) in settled.iter().take(5) {
                        let (c, word) = status_style(*status);
                        ui.horizontal_wrapped(|ui| {
                            ui.label(RichText::new(word).strong().color(c));
                            let why = if why.is_empty() {
                                String::new()
                            } else {
                                format!(" — {why}")
                            };
                            ui.label(format!("{name} [{rule}]{why}"));
                        });
                    }
                    ui.separator();
                }
            }
            ui.heading("Inbox and case chronology");
            ui.checkbox(&mut s.inbox_only, "Inbox only: messages, events and my own actions");
            egui::ScrollArea::vertical()
                .id_salt("log")
                .stick_to_bottom(true)
                .show(ui, |ui| {
                    for l in &s.engine.log {
                        if s.mode == Mode::Assessment && l.kind == "wrongful" {
                            continue;
                        }
                        if s.inbox_only && l.kind == "action" {
                            continue;
                        }
                        let who = if l.who.is_empty() {
                            String::new()
                        } else {
                            format!("{}: ", l.who)
                        };
                        let text = RichText::new(format!("{} [{}] {who}{}", l.at.format("%a %H:%M"), l.kind, l.text));
                        ui.label(if l.kind == "message" || l.kind == "disclosure" {
                            text.strong()
                        } else {
                            text
                        });
                    }
                });
        });
    // What the panels leave free is where Bevy draws the board.
    let board = ui.available_rect_before_wrap();
    if let Some(pi) = s.prompt {
        let p = &s.scenario.scenario.prompts[pi];
        let mut close = false;
        egui::Window::new("Decision point")
            .collapsible(false)
            .show(ui.ctx(), |ui| {
                ui.label(&p.text);
                if ui.button("Continue").clicked() {
                    close = true;
                }
            });
        if close {
            s.prompt = None;
        }
    }
    if s.ended() {
        egui::Window::new("Scenario over")
            .collapsible(false)
            .show(ui.ctx(), |ui| {
                ui.label("The simulated time has run out.");
                if ui.button("See the debrief").clicked() {
                    end = true;
                }
            });
    }
    m.board_rect = Some(board);
    if let Some(a) = act {
        m.act(&a);
    }
    if end {
        m.end_and_debrief();
    }
}

/// The form the protocol attaches to an action (e.g. what to tell police when reporting a child
/// missing): filled in before pressing the action; what is written goes into the chronology.
fn action_form(ui: &mut egui::Ui, s: &mut super::model::PlaySession, action: &str) {
    let missing = s.form_missing(action);
    let Some((form, values)) = s.form_values(action) else {
        return;
    };
    egui::CollapsingHeader::new(format!("   Form: {}", form.name))
        .id_salt(("form", action))
        .show(ui, |ui| {
            ui.label(
                RichText::new(format!("{} — {}", form.citation.doc, form.citation.section))
                    .italics()
                    .small(),
            );
            for (f, v) in form.fields.iter().zip(values.iter_mut()) {
                let text = if f.required {
                    format!("{} (required)", f.label)
                } else {
                    f.label.clone()
                };
                let l = ui.label(text);
                ui.add(egui::TextEdit::singleline(v).desired_width(290.0))
                    .labelled_by(l.id);
            }
            if missing.is_empty() {
                ui.label(RichText::new("All required fields written.").color(Color32::from_rgb(40, 140, 70)));
            } else {
                ui.label(
                    RichText::new(format!(
                        "{} required field(s) still empty: the chronology will record them as left out.",
                        missing.len()
                    ))
                    .color(Color32::from_rgb(200, 130, 0)),
                );
            }
        });
}

/// An assessment tool (e.g. the Bromley Missing Risk Assessment Tool) with its live score and band.
fn tool_form(ui: &mut egui::Ui, s: &mut super::model::PlaySession) {
    let tools = s.scenario.protocol.risk.tools.clone();
    for t in tools {
        ui.collapsing(format!("{} (live score)", t.name), |ui| {
            for sec in &t.sections {
                ui.label(RichText::new(&sec.name).strong());
                for item in &sec.items {
                    let cur = s.answers.iter().find(|(i, _)| i == &item.id).map(|x| x.1).unwrap_or(0);
                    let mut on = cur > 0;
                    if ui
                        .checkbox(&mut on, format!("{} ({:?})", item.text, item.scores))
                        .changed()
                    {
                        s.answers.retain(|(i, _)| i != &item.id);
                        if on {
                            s.answers
                                .push((item.id.clone(), *item.scores.iter().max().unwrap_or(&0)));
                        }
                    }
                }
            }
            let total = t.total(&s.answers).unwrap_or(0);
            match t.band(total) {
                Some(b) => ui.label(RichText::new(format!("Score {total}: {:?} — {}", b.rag, b.label)).strong()),
                None => ui.label(format!("Score {total}: no band")),
            };
        });
    }
}

fn debrief(ui: &mut egui::Ui, m: &mut UiModel) {
    let Some(r) = m.report.clone() else {
        m.screen = Screen::Picker;
        return;
    };
    let mut replay: Option<usize> = None;
    egui::CentralPanel::default().show(ui, |ui| {
        ui.heading(format!("Debrief — {}", r.title));
        ui.label(RichText::new(format!("Score: {}", score_line(&r))).size(20.0).strong());
        ui.horizontal(|ui| {
            if ui.button("Export Markdown and JSON").clicked() {
                m.export();
            }
            if ui.button("Back to scenarios").clicked() {
                m.screen = Screen::Picker;
            }
        });
        if !m.status.is_empty() {
            ui.label(&m.status);
        }
        let records = m.records_status.lock().map(|s| s.clone()).unwrap_or_default();
        if !records.is_empty() {
            ui.label(records);
        }
        ui.separator();
        ui.columns(2, |cols| {
            egui::ScrollArea::vertical().id_salt("obl").show(&mut cols[0], |ui| {
                ui.heading("What the protocol required of you");
                for o in &r.obligations {
                    let (c, word) = status_style(o.status);
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(word).strong().color(c));
                        ui.label(format!(
                            "{} — due {} — done {} — {} pts",
                            o.rule,
                            o.due_at.as_deref().unwrap_or("—"),
                            o.done_at.as_deref().unwrap_or("—"),
                            o.points
                        ));
                    });
                    ui.label(&o.feedback);
                    ui.label(RichText::new(&o.citation).italics().small());
                    ui.separator();
                }
            });
            egui::ScrollArea::vertical().id_salt("tl").show(&mut cols[1], |ui| {
                ui.heading("What you did, beside what happened");
                if let Some(s) = &m.session {
                    for (i, d) in s.decisions.actions.iter().enumerate() {
                        ui.horizontal_wrapped(|ui| {
                            ui.label(format!("+{:.1} h  {}", d.at_hours, d.action));
                            if ui.small_button(format!("Replay from decision {}", i + 1)).clicked() {
                                replay = Some(i);
                            }
                        });
                    }
                }
                ui.separator();
                for t in &r.timeline {
                    ui.label(format!("+{:.1} h {}", t.hours, t.describe()));
                }
            });
        });
    });
    if let Some(i) = replay {
        m.replay_from(i);
    }
}
