use super::*;

#[test]
fn csv_fields_may_quote_commas_quotes_and_line_breaks() {
    let rows = parse_csv("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n,,\n");
    assert_eq!(
        rows,
        vec![
            vec!["a", "b", "c"],
            vec!["x, y", "say \"hi\"", "two\nlines"],
            vec!["", "", ""]
        ]
    );
    assert_eq!(parse_csv("last,row"), vec![vec!["last", "row"]]);
    assert!(parse_csv("").is_empty());
}
