use super::*;
use crate::testing::prop;
use proptest::prelude::*;

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn arbitrary_headers_never_pass(
        header in proptest::option::of(prop_oneof![any::<String>(), "sha256=[0-9a-fA-Fz]{0,70}"]),
        body in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        prop_assert!(verify(Some(&Secret::new("s3cret")), header.as_deref(), &body).is_err());
    }

    #[test]
    fn signed_bodies_verify_and_changed_ones_do_not(
        secret in any::<String>(),
        body in proptest::collection::vec(any::<u8>(), 0..64),
        flip in any::<proptest::sample::Index>(),
    ) {
        let secret = Secret::new(secret);
        let signature = sign(&secret, &body);
        prop_assert_eq!(verify(Some(&secret), Some(&signature), &body), Ok(()));
        let mut other = body.clone();
        if other.is_empty() {
            other.push(0);
        } else {
            let i = flip.index(other.len());
            other[i] ^= 1;
        }
        prop_assert_eq!(verify(Some(&secret), Some(&signature), &other), Err(SignatureError::Mismatch));
    }
}
