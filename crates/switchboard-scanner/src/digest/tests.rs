use super::*;

fn line(project: &str, id: u32) -> Line {
    Line {
        project: project.into(),
        display_id: format!("#{id}"),
        url: format!("https://t.example/{id}"),
        summary: "Fix <b> & stuff".into(),
        reason: Reason::Stale { days: 70 },
        ticket_key: format!("cb/{project}/{id}"),
    }
}

#[test]
fn a_digest_groups_by_project_with_two_buttons_per_ticket() {
    let lines = [line("web", 1), line("api", 2), line("web", 3)];
    let m = digest(&lines, 0, 7);
    let blocks = m.blocks_json().as_array().cloned().expect("blocks");
    // Header, two project headings, and two blocks per ticket.
    assert_eq!(blocks.len(), 1 + 2 + 3 * 2);
    assert_eq!(blocks[1]["text"]["text"], "*api*");
    let actions = &blocks[3]["elements"];
    assert_eq!(actions[0]["action_id"], SNOOZE);
    assert_eq!(actions[0]["value"], "cb/api/2");
    assert_eq!(actions[0]["text"]["text"], "Snooze 7 days");
    assert_eq!(actions[1]["action_id"], STILL_VALID);
    let text = blocks[2]["text"]["text"].as_str().expect("text");
    assert!(text.contains("<https://t.example/2|#2>"), "{text}");
    assert!(text.contains("Fix &lt;b&gt; &amp; stuff"), "{text}");
    assert!(m.text.contains("#1, #2, #3"));
}

#[test]
fn a_full_digest_stays_under_fifty_blocks() {
    let lines: Vec<Line> = (0..MAX_PER_DIGEST as u32)
        .map(|i| line(&format!("p{}", i % 3), i))
        .collect();
    let m = digest(&lines, 12, 7);
    let blocks = m.blocks_json().as_array().cloned().expect("blocks");
    assert!(blocks.len() <= 50, "{} blocks", blocks.len());
    let last = blocks.last().expect("block")["text"]["text"]
        .as_str()
        .expect("text");
    assert!(last.contains("12 more"), "{last}");
}

#[test]
fn the_summary_counts_names_the_unmapped_and_says_when_partial() {
    let counts = [ProjectCount {
        project: "cb/web".into(),
        stale: 4,
        review: 1,
        oldest: vec![line("web", 9)],
    }];
    let m = summary(&counts, &["carol".into()], false);
    let all = m.blocks_json().to_string();
    assert!(all.contains("4 stale, 1 overdue in review"), "{all}");
    assert!(all.contains("carol"), "{all}");
    assert!(all.contains("ran out of time"), "{all}");
    let empty = summary(&[], &[], true).blocks_json().to_string();
    assert!(empty.contains("Nothing stale"), "{empty}");
}
