//! Certificates, certification authorities, revocation lists and the trust store that checks
//! them.

use crate::crypto::{CryptoProvider, Keypair, PublicKey, Signature};
use crate::encoding::encode;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

const CERT_TAG: &[u8] = b"sweet-gossip/certificate/v1";
const REVOCATION_TAG: &[u8] = b"sweet-gossip/revocation/v1";

/// A public-key certificate (paper figure 3), signed by a certification authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// The holder's key: verifies the holder's signatures and receives sealed boxes.
    pub public_key: PublicKey,
    /// Name of what is certified, e.g. "driving-licence".
    pub name: String,
    /// Application-specific value of the certificate.
    pub value: String,
    /// First instant at which the certificate is valid.
    pub not_valid_before: Timestamp,
    /// Last instant at which the certificate is valid.
    pub not_valid_after: Timestamp,
    /// Name of the issuing authority.
    pub ca_name: String,
    /// The authority's signature over all fields above.
    pub ca_signature: Signature,
}

#[derive(Serialize)]
struct CertificateBody<'a> {
    public_key: &'a PublicKey,
    name: &'a str,
    value: &'a str,
    not_valid_before: Timestamp,
    not_valid_after: Timestamp,
    ca_name: &'a str,
}

impl Certificate {
    fn signed_bytes(&self) -> Vec<u8> {
        let mut out = CERT_TAG.to_vec();
        out.extend(encode(&CertificateBody {
            public_key: &self.public_key,
            name: &self.name,
            value: &self.value,
            not_valid_before: self.not_valid_before,
            not_valid_after: self.not_valid_after,
            ca_name: &self.ca_name,
        }));
        out
    }
}

/// Why a certificate is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// The issuing authority is not in the trust store.
    #[error("certificate issued by an authority that is not trusted")]
    UntrustedAuthority,
    /// The authority's signature does not verify: forged or altered certificate.
    #[error("certificate signature does not verify")]
    BadSignature,
    /// `now` is before `not_valid_before`.
    #[error("certificate not yet valid")]
    NotYetValid,
    /// `now` is after `not_valid_after`.
    #[error("certificate expired")]
    Expired,
    /// The authority has revoked this certificate.
    #[error("certificate revoked")]
    Revoked,
}

/// A certification authority: issues and revokes certificates.
#[derive(Debug, Clone)]
pub struct CertificateAuthority {
    name: String,
    key: Keypair,
    revoked: BTreeSet<PublicKey>,
}

impl CertificateAuthority {
    /// An authority named `name` signing with `key`.
    pub fn new(name: impl Into<String>, key: Keypair) -> Self {
        Self {
            name: name.into(),
            key,
            revoked: BTreeSet::new(),
        }
    }

    /// The authority's name, as written in the certificates it issues.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key that verifies this authority's signatures.
    pub fn public_key(&self) -> PublicKey {
        self.key.public()
    }

    /// Issues a certificate for `public_key`, valid from `not_valid_before` to `not_valid_after`.
    pub fn issue(
        &self,
        crypto: &dyn CryptoProvider,
        public_key: PublicKey,
        name: &str,
        value: &str,
        not_valid_before: Timestamp,
        not_valid_after: Timestamp,
    ) -> Certificate {
        let mut cert = Certificate {
            public_key,
            name: name.to_owned(),
            value: value.to_owned(),
            not_valid_before,
            not_valid_after,
            ca_name: self.name.clone(),
            ca_signature: Signature([0; 64]),
        };
        cert.ca_signature = crypto
            .sign(&self.key, &cert.signed_bytes())
            .expect("invariant: the authority's key was made by the same provider");
        cert
    }

    /// Revokes every certificate of `public_key`; takes effect in the next revocation list.
    pub fn revoke(&mut self, public_key: PublicKey) {
        self.revoked.insert(public_key);
    }

    /// The signed list of revoked keys as of `issued_at`.
    pub fn revocation_list(
        &self,
        crypto: &dyn CryptoProvider,
        issued_at: Timestamp,
    ) -> RevocationList {
        let mut list = RevocationList {
            ca_name: self.name.clone(),
            issued_at,
            revoked: self.revoked.iter().copied().collect(),
            signature: Signature([0; 64]),
        };
        list.signature = crypto
            .sign(&self.key, &list.signed_bytes())
            .expect("invariant: the authority's key was made by the same provider");
        list
    }
}

/// A revocation list published by an authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationList {
    /// The publishing authority.
    pub ca_name: String,
    /// When the list was made; a trust store keeps only the newest list per authority.
    pub issued_at: Timestamp,
    /// Revoked holder keys, ascending.
    pub revoked: Vec<PublicKey>,
    /// The authority's signature over the fields above.
    pub signature: Signature,
}

impl RevocationList {
    fn signed_bytes(&self) -> Vec<u8> {
        let mut out = REVOCATION_TAG.to_vec();
        out.extend(encode(&(&self.ca_name, self.issued_at, &self.revoked)));
        out
    }
}

/// Why a revocation list was not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RevocationError {
    /// The list names an authority the store does not trust.
    #[error("revocation list from an untrusted authority")]
    UntrustedAuthority,
    /// The list's signature does not verify.
    #[error("revocation list signature does not verify")]
    BadSignature,
    /// The store already holds a list at least as new.
    #[error("revocation list older than the one held")]
    Stale,
    /// The list was handed to a node with an earlier `now` than an input already handled.
    #[error("time went backwards")]
    TimeWentBackwards,
}

#[derive(Debug, Clone, Default)]
struct Authority {
    key: Option<PublicKey>,
    revoked: BTreeSet<PublicKey>,
    list_issued_at: Option<Timestamp>,
}

/// The authorities a node trusts and their newest revocation lists.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    authorities: BTreeMap<String, Authority>,
}

impl TrustStore {
    /// An empty store that trusts nobody.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts certificates signed by `key` under the authority name `name`.
    pub fn trust(&mut self, name: impl Into<String>, key: PublicKey) -> &mut Self {
        self.authorities.entry(name.into()).or_default().key = Some(key);
        self
    }

    /// Applies a signed revocation list if it is authentic and newer than the one held.
    pub fn apply_revocation_list(
        &mut self,
        crypto: &dyn CryptoProvider,
        list: &RevocationList,
    ) -> Result<(), RevocationError> {
        let auth = self
            .authorities
            .get_mut(&list.ca_name)
            .ok_or(RevocationError::UntrustedAuthority)?;
        let key = auth.key.ok_or(RevocationError::UntrustedAuthority)?;
        if !crypto.verify(&key, &list.signed_bytes(), &list.signature) {
            return Err(RevocationError::BadSignature);
        }
        if auth.list_issued_at.is_some_and(|t| t >= list.issued_at) {
            return Err(RevocationError::Stale);
        }
        auth.revoked = list.revoked.iter().copied().collect();
        auth.list_issued_at = Some(list.issued_at);
        Ok(())
    }

    /// Checks the parts of a certificate that need no signature check: trusted issuer, validity
    /// window at `now`, revocation.
    pub fn check_status(&self, cert: &Certificate, now: Timestamp) -> Result<(), CertificateError> {
        let auth = self
            .authorities
            .get(&cert.ca_name)
            .filter(|a| a.key.is_some())
            .ok_or(CertificateError::UntrustedAuthority)?;
        if now < cert.not_valid_before {
            return Err(CertificateError::NotYetValid);
        }
        if now > cert.not_valid_after {
            return Err(CertificateError::Expired);
        }
        if auth.revoked.contains(&cert.public_key) {
            return Err(CertificateError::Revoked);
        }
        Ok(())
    }

    /// Checks the authority's signature on `cert`. Call after [`TrustStore::check_status`].
    pub fn check_signature(
        &self,
        crypto: &dyn CryptoProvider,
        cert: &Certificate,
    ) -> Result<(), CertificateError> {
        let key = self
            .authorities
            .get(&cert.ca_name)
            .and_then(|a| a.key)
            .ok_or(CertificateError::UntrustedAuthority)?;
        if crypto.verify(&key, &cert.signed_bytes(), &cert.ca_signature) {
            Ok(())
        } else {
            Err(CertificateError::BadSignature)
        }
    }

    /// Full check: status and signature.
    pub fn verify(
        &self,
        crypto: &dyn CryptoProvider,
        cert: &Certificate,
        now: Timestamp,
    ) -> Result<(), CertificateError> {
        self.check_status(cert, now)?;
        self.check_signature(crypto, cert)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::RealCrypto;

    fn setup() -> (CertificateAuthority, TrustStore, Certificate) {
        let ca = CertificateAuthority::new("gov", RealCrypto.keypair_from_seed([1; 32]));
        let mut store = TrustStore::new();
        store.trust("gov", ca.public_key());
        let holder = RealCrypto.keypair_from_seed([2; 32]).public();
        let cert = ca.issue(
            &RealCrypto,
            holder,
            "licence",
            "B",
            Timestamp(10),
            Timestamp(100),
        );
        (ca, store, cert)
    }

    #[test]
    fn validity_window_and_signature() {
        let (_, store, cert) = setup();
        assert_eq!(store.verify(&RealCrypto, &cert, Timestamp(50)), Ok(()));
        assert_eq!(
            store.verify(&RealCrypto, &cert, Timestamp(5)),
            Err(CertificateError::NotYetValid)
        );
        assert_eq!(
            store.verify(&RealCrypto, &cert, Timestamp(101)),
            Err(CertificateError::Expired)
        );
        let mut forged = cert.clone();
        forged.value = "A".into();
        assert_eq!(
            store.verify(&RealCrypto, &forged, Timestamp(50)),
            Err(CertificateError::BadSignature)
        );
        let mut other = cert;
        other.ca_name = "mafia".into();
        assert_eq!(
            store.verify(&RealCrypto, &other, Timestamp(50)),
            Err(CertificateError::UntrustedAuthority)
        );
    }

    #[test]
    fn revocation_list_applies_once_and_only_if_signed() {
        let (mut ca, mut store, cert) = setup();
        ca.revoke(cert.public_key);
        let list = ca.revocation_list(&RealCrypto, Timestamp(20));
        let mut forged = list.clone();
        forged.revoked.clear();
        assert_eq!(
            store.apply_revocation_list(&RealCrypto, &forged),
            Err(RevocationError::BadSignature)
        );
        assert_eq!(store.apply_revocation_list(&RealCrypto, &list), Ok(()));
        assert_eq!(
            store.verify(&RealCrypto, &cert, Timestamp(50)),
            Err(CertificateError::Revoked)
        );
        assert_eq!(
            store.apply_revocation_list(&RealCrypto, &list),
            Err(RevocationError::Stale)
        );
    }
}
