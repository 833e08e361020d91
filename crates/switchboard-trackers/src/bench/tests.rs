use super::*;

#[test]
fn bench_urls() {
    assert!(is_bench_url("https://bench-12.test.acme.example/"));
    assert!(is_bench_url("http://10.0.0.5:8080/app"));
    for bad in [
        "javascript:alert(1)",
        "https://",
        "https://a b",
        "ftp://x",
        "https://x\n",
    ] {
        assert!(!is_bench_url(bad), "{bad:?}");
    }
}
