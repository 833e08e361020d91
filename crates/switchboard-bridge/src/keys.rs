//! Finding the issue key a pull request is about.

/// The first `[A-Z][A-Z0-9]+-\d+` in `text` whose project is one of
/// `projects`, as a whole word.
pub fn find_key(text: &str, projects: &[&str]) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let at_word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if at_word_start && bytes[i].is_ascii_uppercase() {
            let mut j = i + 1;
            while j < bytes.len() && (bytes[j].is_ascii_uppercase() || bytes[j].is_ascii_digit()) {
                j += 1;
            }
            if j > i + 1 && j < bytes.len() && bytes[j] == b'-' {
                let mut k = j + 1;
                while k < bytes.len() && bytes[k].is_ascii_digit() {
                    k += 1;
                }
                let ends_word = k == bytes.len() || !bytes[k].is_ascii_alphanumeric();
                if k > j + 1 && ends_word && projects.contains(&&text[i..j]) {
                    return Some(text[i..k].to_owned());
                }
            }
        }
        i += 1;
    }
    None
}

/// Looks in the title, then the source branch (branch names are often
/// lower case, so it is read upper-cased), then the description.
pub fn key_for(title: &str, branch: &str, description: &str, projects: &[&str]) -> Option<String> {
    find_key(title, projects)
        .or_else(|| find_key(&branch.to_ascii_uppercase(), projects))
        .or_else(|| find_key(description, projects))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod prop_tests;
