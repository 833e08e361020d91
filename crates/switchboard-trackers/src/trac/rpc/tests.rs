use super::*;

#[test]
fn comment_numbers_are_the_last_dot_segment() {
    assert_eq!(comment_number("3"), Some(3));
    assert_eq!(comment_number("1.3"), Some(3));
    assert_eq!(comment_number("1.2.7"), Some(7));
    assert_eq!(comment_number(""), None);
}

#[test]
fn xml_calls_escape_the_method_name() {
    assert_eq!(
        xml_call("a<b&c", Param::Int(7)),
        "<?xml version=\"1.0\"?>\n<methodCall><methodName>a&lt;b&amp;c</methodName>\
             <params><param><value><int>7</int></value></param></params></methodCall>"
    );
}
