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
        Calendar {
            bank_holidays: england_bank_holidays(),
            office_start: 9,
            office_end: 17,
        }
    }
}

/// England and Wales bank holidays 2013–2027 (gov.uk lists), enough for every scenario and caseload here.
pub fn england_bank_holidays() -> Vec<NaiveDate> {
    const DAYS: &[(i32, u32, u32)] = &[
        (2013, 1, 1),
        (2013, 3, 29),
        (2013, 4, 1),
        (2013, 5, 6),
        (2013, 5, 27),
        (2013, 8, 26),
        (2013, 12, 25),
        (2013, 12, 26),
        (2014, 1, 1),
        (2014, 4, 18),
        (2014, 4, 21),
        (2014, 5, 5),
        (2014, 5, 26),
        (2014, 8, 25),
        (2014, 12, 25),
        (2014, 12, 26),
        (2015, 1, 1),
        (2015, 4, 3),
        (2015, 4, 6),
        (2015, 5, 4),
        (2015, 5, 25),
        (2015, 8, 31),
        (2015, 12, 25),
        (2015, 12, 28),
        (2019, 1, 1),
        (2019, 4, 19),
        (2019, 4, 22),
        (2019, 5, 6),
        (2019, 5, 27),
        (2019, 8, 26),
        (2019, 12, 25),
        (2019, 12, 26),
        (2020, 1, 1),
        (2020, 4, 10),
        (2020, 4, 13),
        (2020, 5, 8),
        (2020, 5, 25),
        (2020, 8, 31),
        (2020, 12, 25),
        (2020, 12, 28),
        (2021, 1, 1),
        (2021, 4, 2),
        (2021, 4, 5),
        (2021, 5, 3),
        (2021, 5, 31),
        (2021, 8, 30),
        (2021, 12, 27),
        (2021, 12, 28),
        (2022, 1, 3),
        (2022, 4, 15),
        (2022, 4, 18),
        (2022, 5, 2),
        (2022, 6, 2),
        (2022, 6, 3),
        (2022, 8, 29),
        (2022, 9, 19),
        (2022, 12, 26),
        (2022, 12, 27),
        (2023, 1, 2),
        (2023, 4, 7),
        (2023, 4, 10),
        (2023, 5, 1),
        (2023, 5, 8),
        (2023, 5, 29),
        (2023, 8, 28),
        (2023, 12, 25),
        (2023, 12, 26),
        (2024, 1, 1),
        (2024, 3, 29),
        (2024, 4, 1),
        (2024, 5, 6),
        (2024, 5, 27),
        (2024, 8, 26),
        (2024, 12, 25),
        (2024, 12, 26),
        (2025, 1, 1),
        (2025, 4, 18),
        (2025, 4, 21),
        (2025, 5, 5),
        (2025, 5, 26),
        (2025, 8, 25),
        (2025, 12, 25),
        (2025, 12, 26),
        (2026, 1, 1),
        (2026, 4, 3),
        (2026, 4, 6),
        (2026, 5, 4),
        (2026, 5, 25),
        (2026, 8, 31),
        (2026, 12, 25),
        (2026, 12, 28),
        (2027, 1, 1),
        (2027, 3, 26),
        (2027, 3, 29),
        (2027, 5, 3),
        (2027, 5, 31),
        (2027, 8, 30),
        (2027, 12, 27),
        (2027, 12, 28),
    ];
    DAYS.iter()
        .filter_map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
        .collect()
}

impl Calendar {
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
}
