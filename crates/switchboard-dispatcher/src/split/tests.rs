use super::*;

fn check(input: &str, expected: Result<&[&str], SplitError>) {
    let got = split(input);
    let want = expected.map(|w| w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(got, want, "input {input:?}");
}

#[test]
fn table() {
    check("", Ok(&[]));
    check("   \t ", Ok(&[]));
    check("help", Ok(&["help"]));
    check(
        "deploy --client acme --branch main",
        Ok(&["deploy", "--client", "acme", "--branch", "main"]),
    );
    check(
        "  deploy   --client=acme  ",
        Ok(&["deploy", "--client=acme"]),
    );
    check("a 'b c' \"d e\"", Ok(&["a", "b c", "d e"]));
    check("x \"\" y", Ok(&["x", "", "y"]));
    check("say \"he said \\\"hi\\\"\"", Ok(&["say", "he said \"hi\""]));
    check("'it''s'", Ok(&["its"]));
    check("a\\ b", Ok(&["a b"]));
    check(
        "\u{201C}feature x\u{201D} \u{2018}y z\u{2019}",
        Ok(&["feature x", "y z"]),
    );
    check("клиент «Ромашка» 🎉", Ok(&["клиент", "Ромашка", "🎉"]));
    check("a\u{00A0}b", Ok(&["a", "b"]));
    check("$(rm -rf /) `id`", Ok(&["$(rm", "-rf", "/)", "`id`"]));
    check("'open", Err(SplitError::Unbalanced("single")));
    check("deploy \"open", Err(SplitError::Unbalanced("double")));
    check("trailing \\", Err(SplitError::TrailingBackslash));
}
