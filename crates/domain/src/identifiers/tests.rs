use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

#[test]
fn the_spec_vector_resident_id_is_valid() {
    let id = ResidentId::parse("11010519491231002X", today()).unwrap();
    assert_eq!(id.as_str(), "11010519491231002X");
    assert!(!id.is_residence_permit());
}

#[test]
fn a_lower_case_check_x_is_normalised_to_upper_case() {
    let id = ResidentId::parse("11010519491231002x", today()).unwrap();
    assert_eq!(id.as_str(), "11010519491231002X");
}

#[test]
fn the_spec_vector_with_a_wrong_check_digit_is_refused() {
    assert_eq!(
        ResidentId::parse("110101199003071234", today()),
        Err(IdentifierError::Checksum)
    );
}

#[test]
fn an_impossible_or_future_birth_date_is_refused() {
    // 1949-02-30 does not exist; check char recomputed so only the date is wrong.
    let bad = with_check("11010519490230002");
    assert_eq!(
        ResidentId::parse(&bad, today()),
        Err(IdentifierError::BirthDate)
    );
    let future = with_check("11010520301231002");
    assert_eq!(
        ResidentId::parse(&future, today()),
        Err(IdentifierError::BirthDate)
    );
}

#[test]
fn wrong_lengths_and_letters_are_format_errors() {
    for raw in [
        "",
        "1101051949123100",
        "11010519491231002XX",
        "1101051949123100AX",
    ] {
        assert_eq!(
            ResidentId::parse(raw, today()),
            Err(IdentifierError::Format),
            "{raw}"
        );
    }
}

#[test]
fn an_810000_address_code_marks_a_residence_permit() {
    let permit = ResidentId::parse(&with_check("81000019900101001"), today()).unwrap();
    assert!(permit.is_residence_permit());
}

#[test]
fn hk_macao_permits_take_an_optional_issue_count() {
    assert!(HkMacaoPermit::parse("H12345678").is_ok());
    assert!(HkMacaoPermit::parse("M1234567801").is_ok());
    let renewed = HkMacaoPermit::parse("h1234567802").unwrap();
    assert_eq!(renewed.lifelong_part(), "H12345678");
    for raw in ["X12345678", "H1234567", "H123456780", "H12345678012"] {
        assert!(HkMacaoPermit::parse(raw).is_err(), "{raw}");
    }
}

#[test]
fn taiwan_permits_are_eight_digits() {
    assert!(TaiwanPermit::parse("12345678").is_ok());
    assert!(TaiwanPermit::parse("1234567").is_err());
    assert!(TaiwanPermit::parse("1234567A").is_err());
}

#[test]
fn mainland_mobiles_accept_the_country_prefixes_and_normalise_to_11_digits() {
    for raw in [
        "13812345678",
        "+8613812345678",
        "8613812345678",
        "008613812345678",
    ] {
        assert_eq!(Phone::parse(raw).unwrap().as_str(), "13812345678", "{raw}");
    }
    for raw in [
        "12812345678",
        "1381234567",
        "+1 3812345678",
        "23812345678",
        "+86138123456789",
    ] {
        assert!(Phone::parse(raw).is_err(), "{raw}");
    }
}

#[test]
fn names_allow_cjk_latin_spaces_and_the_middle_dot() {
    for raw in ["张三", "买买提·艾力", "John Smith", "José Núñez"] {
        assert!(PersonName::parse(raw).is_ok(), "{raw}");
    }
    for raw in ["张", "张3", "a_b", " · ", &"张".repeat(51)] {
        assert!(PersonName::parse(raw).is_err(), "{raw}");
    }
}

#[test]
fn the_spec_usccs_are_valid_including_the_zero_remainder_case() {
    assert!(Uscc::parse("91110000600037341L").unwrap().checksum_ok());
    assert!(Uscc::parse("9111000060003734F0").unwrap().checksum_ok());
}

#[test]
fn a_pilot_uscc_with_a_failing_check_character_parses_but_is_flagged() {
    let pilot = Uscc::parse("91350100M0001TGQXM").unwrap();
    assert!(!pilot.checksum_ok());
}

#[test]
fn a_uscc_with_letters_outside_the_alphabet_or_a_wrong_length_is_refused() {
    for raw in [
        "91110000600037341",
        "9111000060003734IO",
        "91110000600037341LL",
        "9111000060003734S0",
    ] {
        assert_eq!(Uscc::parse(raw), Err(IdentifierError::Format), "{raw}");
    }
}

proptest! {
    #[test]
    fn any_uscc_with_the_computed_check_character_is_valid_and_a_changed_one_is_not(
        body in prop::collection::vec(prop::sample::select(b"0123456789ABCDEFGHJKLMNPQRTUWXY".to_vec()), 17),
        replacement in prop::sample::select(b"0123456789ABCDEFGHJKLMNPQRTUWXY".to_vec()),
    ) {
        let check = uscc_check_char(&body).unwrap();
        let code = format!("{}{check}", String::from_utf8(body.clone()).unwrap());
        prop_assert!(Uscc::parse(&code).unwrap().checksum_ok());
        prop_assume!(char::from(replacement) != check);
        let wrong = format!("{}{}", String::from_utf8(body).unwrap(), char::from(replacement));
        prop_assert!(!Uscc::parse(&wrong).unwrap().checksum_ok());
    }
}

#[test]
fn debug_output_never_shows_the_clear_value() {
    let id = ResidentId::parse("11010519491231002X", today()).unwrap();
    let phone = Phone::parse("13812345678").unwrap();
    let name = PersonName::parse("张三").unwrap();
    let shown = format!("{id:?} {phone:?} {name:?}");
    assert!(!shown.contains("11010519491231002X"));
    assert!(!shown.contains("13812345678"));
    assert!(!shown.contains("张三"));
}

fn with_check(first17: &str) -> String {
    let mut digits = [0u8; 17];
    digits.copy_from_slice(first17.as_bytes());
    format!("{first17}{}", resident_id_check_char(&digits))
}

prop_compose! {
    fn any_valid_resident_id()(
        area in 110_000u32..660_000,
        days in 0i64..(365 * 120),
        seq in 0u32..1000,
    ) -> String {
        let birth = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
        with_check(&format!("{area:06}{}{seq:03}", birth.format("%Y%m%d")))
    }
}

proptest! {
    #[test]
    fn any_real_birth_date_and_sequence_with_the_computed_check_parses(raw in any_valid_resident_id()) {
        prop_assert!(ResidentId::parse(&raw, today()).is_ok());
    }

    #[test]
    fn changing_any_one_character_makes_it_fail(
        raw in any_valid_resident_id(),
        position in 0usize..18,
        replacement in prop::sample::select(b"0123456789X".to_vec()),
    ) {
        let mut bytes = raw.clone().into_bytes();
        prop_assume!(bytes[position] != replacement);
        bytes[position] = replacement;
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(ResidentId::parse(&changed, today()).is_err());
    }

    #[test]
    fn any_mobile_with_a_valid_second_digit_parses(second in 3u8..=9, rest in 0u64..1_000_000_000) {
        let raw = format!("1{second}{rest:09}");
        let phone = Phone::parse(&raw).unwrap();
        prop_assert_eq!(phone.as_str(), raw.as_str());
    }
}
