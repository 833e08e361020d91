use super::*;

#[test]
fn a_huge_one_line_description_is_converted_from_a_bounded_prefix() {
    for unit in ["{", "[", "[a", "{{{x", "[[a|", "''!", "é"] {
        let huge = unit.repeat((1 << 20) / unit.len());
        let text = wiki_to_text(&huge);
        assert!(
            text.len() <= MARKUP_PREFIX_BYTES + " …".len(),
            "{unit:?}: {} bytes",
            text.len()
        );
        assert!(text.ends_with(" …"), "{unit:?}: a cut description says so");
    }
    // Closed markup inside the prefix still converts.
    let mut long = "see [[Wiki|the wiki]] and {{{code}}} ".to_owned();
    long.push_str(&"x".repeat(2 * MARKUP_PREFIX_BYTES));
    assert!(wiki_to_text(&long).starts_with("see the wiki and code x"));
    // A short one is not marked as cut.
    assert_eq!(wiki_to_text("[[a]] {{{"), "a {{{");
}

#[test]
fn wiki_markup_becomes_plain_text() {
    let check = |wiki: &str, text: &str| assert_eq!(wiki_to_text(wiki), text, "wiki {wiki:?}");
    check(
        "'''bold''' and ''italic'' and '''''both'''''",
        "bold and italic and both",
    );
    check("it's ok", "it's ok");
    check(
        "see [http://example.com the site] or [wiki:Start]",
        "see the site or wiki:Start",
    );
    check(
        "[[WikiStart|the start page]] and [[Other]]",
        "the start page and Other",
    );
    check("Replying to [comment:1 carol]:", "Replying to carol:");
    check(
        "![not a link] and !''quotes!''",
        "[not a link] and ''quotes''",
    );
    check("inline {{{'''code'''}}} stays", "inline '''code''' stays");
    check("a\r\n{{{\n'''x''' [y]\n}}}\nb", "a\n'''x''' [y]\nb");
    check("{{{\n#!python\nprint(1)\n}}}", "print(1)");
    check(
        "unclosed [bracket and '' quote",
        "unclosed [bracket and  quote",
    );
    check("  \n", "");
}

#[test]
fn html_becomes_plain_text_without_field_changes() {
    let check = |html: &str, text: &str| assert_eq!(html_to_text(html), text, "html {html:?}");
    check(
        "<p>\nOne\nline.\n</p>\n<p>Two &amp; <a href=\"x\">three</a>&#33;</p>",
        "One line.\n\nTwo & three!",
    );
    check(
        "<ul><li><strong>status</strong> new → accepted</li></ul><p>Done.</p>",
        "Done.",
    );
    check("<ul><li><strong>status</strong> changed</li></ul>", "");
    check(
        "<p>List:</p><ul><li>a</li><li>b</li></ul>",
        "List:\n\n• a\n• b",
    );
    check(
        "<pre class=\"wiki\">x = 1\n  y &lt; 2\n</pre>",
        "x = 1\n  y < 2",
    );
    check(
        "<blockquote><p>quoted</p></blockquote><p>reply</p>",
        "> quoted\n\nreply",
    );
    check("a<br/>b &unknown; &#x41;", "a\nb &unknown; A");
}
