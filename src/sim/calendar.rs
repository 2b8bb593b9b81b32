//! Working days, office hours and deadline arithmetic, all on the simulated clock.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::protocol::Deadline;

#[derive(Debug, Clone)]
pub struct Calendar {
    pub bank_holidays: Vec<NaiveDate>,
    pub office_start: u32,
    pub office_end: u32,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::named(DEFAULT_CALENDAR).expect("the default calendar is shipped")
    }
}

/// The calendar a protocol names none: England and Wales.
pub const DEFAULT_CALENDAR: &str = "england-and-wales";

/// The calendars shipped (`assets/calendars/`, compiled in): id and file.
pub const CALENDARS: &[(&str, &str)] = &[
    (
        "england-and-wales",
        include_str!("../../assets/calendars/england-and-wales.ron"),
    ),
    ("scotland", include_str!("../../assets/calendars/scotland.ron")),
    (
        "northern-ireland",
        include_str!("../../assets/calendars/northern-ireland.ron"),
    ),
];

/// A calendar file: its bank holidays as `YYYY-MM-DD`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename = "Calendar")]
struct CalendarFile {
    #[allow(dead_code)]
    name: String,
    #[allow(dead_code)]
    first_year: i32,
    #[allow(dead_code)]
    last_year: i32,
    bank_holidays: Vec<NaiveDate>,
}

/// Each shipped calendar's bank holidays, read once.
fn holidays(id: &str) -> Option<&'static [NaiveDate]> {
    static READ: std::sync::OnceLock<Vec<Vec<NaiveDate>>> = std::sync::OnceLock::new();
    let all = READ.get_or_init(|| {
        CALENDARS
            .iter()
            .map(|(id, text)| {
                ron::from_str::<CalendarFile>(text)
                    .unwrap_or_else(|e| panic!("assets/calendars/{id}.ron: {e}"))
                    .bank_holidays
            })
            .collect()
    });
    CALENDARS.iter().position(|(x, _)| *x == id).map(|i| all[i].as_slice())
}

impl Calendar {
    /// A shipped calendar by id, office hours 9 to 5.
    pub fn named(id: &str) -> Option<Calendar> {
        Some(Calendar {
            bank_holidays: holidays(id)?.to_vec(),
            office_start: 9,
            office_end: 17,
        })
    }

    /// The protocol's calendar (its bank holidays and office hours).
    pub fn for_protocol(p: &crate::protocol::Protocol) -> Calendar {
        let mut c = p.calendar.as_deref().and_then(Calendar::named).unwrap_or_default();
        if let Some(h) = p.office_hours {
            c.office_start = h.start_hour;
            c.office_end = h.end_hour;
        }
        c
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.bank_holidays.contains(&d)
    }

    /// Inside office (MASH) hours on a working day; outside them EDT answers.
    pub fn in_office_hours(&self, t: NaiveDateTime) -> bool {
        use chrono::Timelike;
        self.is_working_day(t.date()) && t.hour() >= self.office_start && t.hour() < self.office_end
    }

    /// The next moment office hours are open, at or after `t`.
    pub fn next_office_open(&self, t: NaiveDateTime) -> NaiveDateTime {
        if self.in_office_hours(t) {
            return t;
        }
        let mut d = t.date();
        use chrono::Timelike;
        if !(self.is_working_day(d) && t.hour() < self.office_start) {
            d = d.succ_opt().expect("date in range");
        }
        while !self.is_working_day(d) {
            d = d.succ_opt().expect("date in range");
        }
        d.and_time(NaiveTime::MIN) + Duration::hours(i64::from(self.office_start.min(23)))
    }

    /// When office hours close on `d`: closing at 24 is midnight, the start of the next day.
    /// (Protocols are checked to open at 0 to 23 and close later the same day, by 24.)
    fn close_of(&self, d: NaiveDate) -> NaiveDateTime {
        let day = d.and_time(NaiveTime::MIN);
        day + Duration::hours(i64::from(self.office_end.min(24)))
    }

    /// When an obligation fired at `from` falls due; `None` for no time limit.
    pub fn due(&self, from: NaiveDateTime, d: &Deadline) -> Option<NaiveDateTime> {
        Some(match *d {
            Deadline::Immediately => from + Duration::hours(1),
            Deadline::Minutes(m) => from + Duration::minutes(m),
            Deadline::Hours(h) => from + Duration::hours(h),
            Deadline::Days(x) => from + Duration::days(x),
            Deadline::SameDay => from.date().and_hms_opt(23, 59, 59).expect("valid"),
            Deadline::FirstWorkingDay => self.close_of(self.nth_working_day_after(from.date(), 1)),
            Deadline::WorkingDays(n) => self.close_of(self.nth_working_day_after(from.date(), n.max(1))),
            Deadline::NoLimit => return None,
        })
    }

    pub fn nth_working_day_after(&self, d: NaiveDate, n: i64) -> NaiveDate {
        let mut d = d;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().expect("date in range");
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The length of a repeat interval.
    pub fn interval(&self, d: &Deadline) -> Duration {
        match *d {
            Deadline::Minutes(m) => Duration::minutes(m),
            Deadline::Hours(h) => Duration::hours(h),
            Deadline::Days(x) => Duration::days(x),
            Deadline::WorkingDays(x) => Duration::days(x * 7 / 5),
            Deadline::FirstWorkingDay => Duration::days(1),
            _ => Duration::days(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn friday_evening_first_working_day_is_monday_close() {
        let c = Calendar::default();
        assert_eq!(
            c.due(t("2024-03-08 19:00"), &Deadline::FirstWorkingDay),
            Some(t("2024-03-11 17:00"))
        );
    }

    #[test]
    fn easter_bank_holidays_are_not_working_days() {
        let c = Calendar::default();
        // Thursday before Good Friday 2024: two working days later skips Fri 29 Mar and Mon 1 Apr.
        assert_eq!(
            c.due(t("2024-03-28 10:00"), &Deadline::WorkingDays(2)),
            Some(t("2024-04-03 17:00"))
        );
    }

    #[test]
    fn office_hours_to_24_close_at_midnight() {
        let c = Calendar {
            office_start: 0,
            office_end: 24,
            ..Calendar::default()
        };
        // Friday 8 March 2024, 7 pm: the first working day after is Monday, closing at midnight.
        assert_eq!(
            c.due(t("2024-03-08 19:00"), &Deadline::FirstWorkingDay),
            Some(t("2024-03-12 00:00"))
        );
        assert!(c.in_office_hours(t("2024-03-11 23:59")));
        assert!(!c.in_office_hours(t("2024-03-09 12:00")));
        assert_eq!(c.next_office_open(t("2024-03-09 12:00")), t("2024-03-11 00:00"));
    }

    #[test]
    fn saturday_night_is_out_of_hours_and_mash_opens_monday() {
        let c = Calendar::default();
        assert!(!c.in_office_hours(t("2024-03-09 22:00")));
        assert_eq!(c.next_office_open(t("2024-03-09 22:00")), t("2024-03-11 09:00"));
        assert!(c.in_office_hours(t("2024-03-11 09:30")));
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn each_nation_keeps_its_own_bank_holidays_to_2030() {
        let ew = Calendar::named("england-and-wales").unwrap();
        let sc = Calendar::named("scotland").unwrap();
        let ni = Calendar::named("northern-ireland").unwrap();
        // Easter Monday 2030 (22 April) is a holiday in England and Wales and Northern Ireland,
        // not in Scotland.
        assert!(!ew.is_working_day(day(2030, 4, 22)) && !ni.is_working_day(day(2030, 4, 22)));
        assert!(sc.is_working_day(day(2030, 4, 22)));
        // 2 January is Scotland's; St Andrew's Day 2026 falls on a Monday.
        assert!(!sc.is_working_day(day(2029, 1, 2)) && ew.is_working_day(day(2029, 1, 2)));
        assert!(!sc.is_working_day(day(2026, 11, 30)) && ew.is_working_day(day(2026, 11, 30)));
        // The Twelfth 2026 is a Sunday: Northern Ireland's holiday is the Monday after.
        assert!(!ni.is_working_day(day(2026, 7, 13)) && ew.is_working_day(day(2026, 7, 13)));
        // Scotland's summer holiday is the first Monday of August, England's the last.
        assert!(!sc.is_working_day(day(2028, 8, 7)) && ew.is_working_day(day(2028, 8, 7)));
        assert!(!ew.is_working_day(day(2028, 8, 28)) && sc.is_working_day(day(2028, 8, 28)));
        // The years the old list skipped are there now: Easter Monday 2017.
        assert!(!ew.is_working_day(day(2017, 4, 17)));
        // Christmas 2027 is a Saturday: the substitutes are Monday 27 and Tuesday 28.
        assert!(!ew.is_working_day(day(2027, 12, 27)) && !ew.is_working_day(day(2027, 12, 28)));
        for c in [&ew, &sc, &ni] {
            assert!(
                c.bank_holidays.iter().all(|d| d.weekday().number_from_monday() <= 5),
                "no holiday falls at a weekend"
            );
            assert!(c.bank_holidays.iter().any(|d| d.year() == 2030));
        }
    }

    #[test]
    fn a_working_day_deadline_skips_the_nations_own_holiday() {
        // Friday 29 November 2030 at 10:00, one working day: in Scotland Monday 2 December is St
        // Andrew's Day (30 November is a Saturday) and the day is Tuesday; in England, Monday.
        let at = day(2030, 11, 29).and_hms_opt(10, 0, 0).unwrap();
        let ew = Calendar::named("england-and-wales").unwrap();
        let sc = Calendar::named("scotland").unwrap();
        let due = |c: &Calendar| c.due(at, &Deadline::WorkingDays(1)).unwrap().date();
        assert_eq!(due(&ew), day(2030, 12, 2));
        assert_eq!(due(&sc), day(2030, 12, 3));
    }
}
