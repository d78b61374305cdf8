//! Masking of personal data for responses (SPEC §4): `110***********002X`, `张*`, `138****5678`.

/// Masks an identifier: long ones keep their first 3 and last 4 characters, short ones their
/// first and last 2.
#[must_use]
pub fn mask_identifier(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let (head, tail) = if chars.len() >= 15 { (3, 4) } else { (1, 2) };
    mask_keeping(&chars, head, tail)
}

/// Masks a phone number: the first 3 and the last 4 digits stay.
#[must_use]
pub fn mask_phone(digits: &str) -> String {
    let chars: Vec<char> = digits.chars().collect();
    mask_keeping(&chars, 3, 4)
}

/// Masks a name: the first character stays, every other one becomes `*`.
#[must_use]
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    mask_keeping(&chars, 1, 0)
}

fn mask_keeping(chars: &[char], head: usize, tail: usize) -> String {
    if chars.len() <= head + tail {
        return "*".repeat(chars.len().max(1));
    }
    let middle = chars.len() - head - tail;
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(middle));
    out.extend(&chars[chars.len() - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resident_id_is_masked_as_the_spec_shows() {
        assert_eq!(mask_identifier("11010519491231002X"), "110***********002X");
    }

    #[test]
    fn a_two_character_name_keeps_only_its_first_character() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
    }

    #[test]
    fn a_phone_keeps_its_first_three_and_last_four_digits() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
    }

    #[test]
    fn a_short_permit_number_keeps_little() {
        assert_eq!(mask_identifier("H12345678"), "H******78");
    }
}
