use super::*;

#[test]
fn cuts_count_characters_and_fit() {
    let cases = [
        ("ok", 3, Cut::Ellipsis, "ok"),
        ("éééé", 3, Cut::Ellipsis, "éé…"),
        ("héllo wörld", 5, Cut::Ellipsis, "héll…"),
        ("short", 10, Cut::Ellipsis, "short"),
        ("ab cd", 4, Cut::Ellipsis, "ab…"),
        ("abc", 0, Cut::Ellipsis, ""),
        ("привет мир", 20, Cut::Word, "привет мир"),
        ("привет мир всем", 11, Cut::Word, "привет мир…"),
        ("абвгдежзий", 5, Cut::Word, "абвг…"),
        ("  padded  ", 10, Cut::Word, "padded"),
        ("abc", 0, Cut::Word, ""),
        ("  short\n", 5, Cut::Line, "short"),
        ("", 5, Cut::Line, ""),
        ("one two\nthree four", 14, Cut::Line, "one two…"),
        ("one two three four", 16, Cut::Line, "one two three…"),
        ("a\nlonger line here", 12, Cut::Line, "a\nlonger li…"),
        ("xxxxxxxxxx", 6, Cut::Line, "xxxxx…"),
        ("слово слово слово", 12, Cut::Line, "слово слово…"),
        ("pull_request_review", 4, Cut::Plain, "pull"),
        ("ü🎉x", 2, Cut::Plain, "ü🎉"),
        ("  kept  ", 8, Cut::Plain, "  kept  "),
    ];
    for (text, max, how, want) in cases {
        assert_eq!(shorten(text, max, how), want, "{text:?} {max} {how:?}");
    }
}
