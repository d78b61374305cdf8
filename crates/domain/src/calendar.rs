//! The business calendar of R8: weekends and configured holidays are days off, configured
//! make-up days are working days, in a configured time zone.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// Working days in one time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    zone: Tz,
    holidays: BTreeSet<NaiveDate>,
    make_up_days: BTreeSet<NaiveDate>,
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        Self::new(chrono_tz::Asia::Shanghai, [], [])
    }
}

impl BusinessCalendar {
    /// A calendar in `zone` with extra days off and extra working days.
    pub fn new(
        zone: Tz,
        holidays: impl IntoIterator<Item = NaiveDate>,
        make_up_days: impl IntoIterator<Item = NaiveDate>,
    ) -> Self {
        Self {
            zone,
            holidays: holidays.into_iter().collect(),
            make_up_days: make_up_days.into_iter().collect(),
        }
    }

    /// Whether `day` is a working day: a make-up day, or a weekday that is not a holiday.
    #[must_use]
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.make_up_days.contains(&day) {
            return true;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }

    fn next_working_day(&self, mut day: NaiveDate) -> NaiveDate {
        loop {
            day = day.checked_add_days(Days::new(1)).unwrap_or(day);
            if self.is_working_day(day) {
                return day;
            }
        }
    }

    /// "+N working days" (R8): the same wall-clock time on the Nth working day after `start`.
    /// A start on a day off counts from 00:00 of the next working day.
    #[must_use]
    pub fn add_working_days(&self, start: DateTime<Utc>, days: u32) -> DateTime<Utc> {
        let local = start.with_timezone(&self.zone).naive_local();
        let (mut day, time) = if self.is_working_day(local.date()) {
            (local.date(), local.time())
        } else {
            (self.next_working_day(local.date()), NaiveTime::MIN)
        };
        for _ in 0..days {
            day = self.next_working_day(day);
        }
        let target = day.and_time(time);
        self.zone
            .from_local_datetime(&target)
            .earliest()
            .map_or(start, |t| t.with_timezone(&Utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Shanghai wall-clock time as UTC.
    fn shanghai(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Shanghai
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// A five-day holiday Fri 1 – Tue 5 Oct 2027, with Saturday 9 Oct made up.
    fn national_day() -> BusinessCalendar {
        BusinessCalendar::new(
            chrono_tz::Asia::Shanghai,
            (1..=5).map(|d| date(2027, 10, d)),
            [date(2027, 10, 9)],
        )
    }

    #[test]
    fn a_remittance_on_the_thursday_before_a_five_day_holiday_counts_the_make_up_saturday() {
        // Thu 30 Sep + 5 working days: Wed 6, Thu 7, Fri 8, Sat 9 (made up), Mon 11.
        let deadline = national_day().add_working_days(shanghai(2027, 9, 30, 10), 5);
        assert_eq!(deadline, shanghai(2027, 10, 11, 10));
    }

    #[test]
    fn a_deadline_can_fall_on_the_make_up_saturday() {
        let deadline = national_day().add_working_days(shanghai(2027, 9, 30, 10), 4);
        assert_eq!(deadline, shanghai(2027, 10, 9, 10));
    }

    #[test]
    fn weekends_are_skipped() {
        let calendar = BusinessCalendar::default();
        // Fri 26 Nov 2027 + 1 working day = Mon 29 Nov, same time.
        assert_eq!(
            calendar.add_working_days(shanghai(2027, 11, 26, 15), 1),
            shanghai(2027, 11, 29, 15)
        );
        assert_eq!(
            calendar.add_working_days(shanghai(2027, 11, 26, 15), 3),
            shanghai(2027, 12, 1, 15)
        );
    }

    #[test]
    fn a_submission_on_a_day_off_counts_from_midnight_of_the_next_working_day() {
        let calendar = BusinessCalendar::default();
        // Sat 27 Nov 2027 at 15:00 counts from Mon 29 Nov 00:00; +1 = Tue 30 Nov 00:00.
        assert_eq!(
            calendar.add_working_days(shanghai(2027, 11, 27, 15), 1),
            shanghai(2027, 11, 30, 0)
        );
    }

    #[test]
    fn the_time_zone_decides_the_day() {
        let calendar = BusinessCalendar::default();
        // Fri 23:30 UTC is already Saturday in Shanghai: a day off.
        let friday_night_utc = Utc.with_ymd_and_hms(2027, 11, 26, 23, 30, 0).unwrap();
        assert_eq!(
            calendar.add_working_days(friday_night_utc, 1),
            shanghai(2027, 11, 30, 0)
        );
    }
}
