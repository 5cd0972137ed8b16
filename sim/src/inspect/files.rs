//! The data files of an inspected run: `trace.jsonl`, `nodes.csv`, `graph.graphml`.

use super::{receipt_s, InspectError, Trace, TraceLine};
use crate::record::{SendFate, SendLine};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::Path;

/// One line of `trace.jsonl`.
#[derive(Serialize)]
struct Line<'a> {
    t_us: u64,
    code: u8,
    kind: &'static str,
    node: u32,
    peer: Option<u32>,
    frame: Option<&'static str>,
    bytes: u32,
    outcome: &'a str,
    frame_id: Option<u64>,
}

/// One `send` line of `trace.jsonl`: a frame offered to a link.
#[derive(Serialize)]
struct Send {
    t_us: u64,
    code: u8,
    kind: &'static str,
    node: u32,
    peer: u32,
    frame: &'static str,
    bytes: u32,
    outcome: &'static str,
    frame_id: u64,
    start_us: u64,
    arrive_us: Option<u64>,
}

/// The JSON line of one engine event (no newline).
pub fn trace_line_json(l: &TraceLine) -> String {
    let outcome = l.outcome.name();
    let line = Line {
        t_us: l.t_us,
        code: l.code,
        kind: super::kind_name(l.code),
        node: l.node,
        peer: l.peer,
        frame: l.frame.map(|k| k.name()),
        bytes: l.bytes,
        outcome: &outcome,
        frame_id: l.frame_id,
    };
    serde_json::to_string(&line).expect("invariant: trace lines serialise")
}

/// The JSON `send` line of one offered frame (no newline); code 0, not hashed.
pub fn send_line_json(f: &SendLine) -> String {
    let line = Send {
        t_us: f.offer_us,
        code: 0,
        kind: "send",
        node: f.from,
        peer: f.to,
        frame: f.kind.name(),
        bytes: f.bytes,
        outcome: f.fate.name(),
        frame_id: f.id,
        start_us: f.start_us,
        arrive_us: match f.fate {
            SendFate::Arrives(t) => Some(t),
            _ => None,
        },
    };
    serde_json::to_string(&line).expect("invariant: send lines serialise")
}

/// Writes `trace.jsonl`: one line per engine event, in processing order, each followed by a
/// `send` line per frame its handling offered to a link (frames offered at setup come first).
pub fn write_trace(path: &Path, trace: &Trace) -> Result<(), InspectError> {
    let io = |e| InspectError::io("write", path, e);
    let file = std::fs::File::create(path).map_err(io)?;
    let mut w = BufWriter::new(file);
    let mut sends = trace.rec.frames.iter().peekable();
    for i in 0..=trace.rec.lines.len() {
        while let Some(f) = sends.next_if(|f| f.after <= i) {
            writeln!(w, "{}", send_line_json(f)).map_err(io)?;
        }
        if let Some(l) = trace.rec.lines.get(i) {
            writeln!(w, "{}", trace_line_json(l)).map_err(io)?;
        }
    }
    w.flush().map_err(io)
}

/// Per node: frames sent, frames received (taken in: handled, accepted, rejected or consumed).
fn frame_counts(trace: &Trace) -> (Vec<u64>, Vec<u64>) {
    let n = trace.node_count();
    let (mut sent, mut received) = (vec![0u64; n], vec![0u64; n]);
    for &(_, from, _) in &trace.rec.sends {
        if let Some(c) = sent.get_mut(from as usize) {
            *c += 1;
        }
    }
    for l in &trace.rec.lines {
        if l.code == 1 && l.outcome.received() {
            if let Some(c) = received.get_mut(l.node as usize) {
                *c += 1;
            }
        }
    }
    (sent, received)
}

/// The header of `nodes.csv`.
pub const NODES_HEADER: [&str; 15] = [
    "node",
    "topic",
    "payload_id",
    "role",
    "adversary",
    "sybil",
    "online_at_broadcast",
    "first_receipt_s",
    "hop",
    "parent",
    "frames_sent",
    "frames_received",
    "pow_hashes",
    "fees_earned_sat",
    "on_paid_route",
];

/// Writes `nodes.csv`: one row per (node, topic), nodes in index order within each topic.
pub fn write_nodes(path: &Path, trace: &Trace) -> Result<(), InspectError> {
    let err = |e: csv::Error| InspectError::Csv {
        path: path.to_path_buf(),
        source: e,
    };
    let mut w = csv::Writer::from_path(path).map_err(err)?;
    w.write_record(NODES_HEADER).map_err(err)?;
    let (sent, received) = frame_counts(trace);
    let flag = |b: bool| if b { "true" } else { "false" };
    for (k, t) in trace.rec.topics.iter().enumerate() {
        let id = hex::encode(t.id.0);
        for i in 0..trace.node_count() {
            let node = i as u32;
            let time = receipt_s(t, node).map_or(String::new(), |s| s.to_string());
            let (hop, parent) = match t.first.get(&node) {
                Some(r) if node != t.sender => (r.hop.to_string(), r.parent.to_string()),
                _ if node == t.sender => ("0".to_owned(), String::new()),
                _ => Default::default(),
            };
            let online = t.online.get(i).copied().unwrap_or(true);
            w.write_record([
                node.to_string().as_str(),
                &k.to_string(),
                &id,
                trace.roles[i],
                flag(trace.adversary[i]),
                flag(trace.sybil[i]),
                flag(online),
                &time,
                &hop,
                &parent,
                &sent[i].to_string(),
                &received[i].to_string(),
                &trace.rec.pow.get(i).copied().unwrap_or(0).to_string(),
                &trace.earned.get(i).copied().unwrap_or(0).to_string(),
                flag(t.paid.contains(&node)),
            ])
            .map_err(err)?;
        }
    }
    w.flush().map_err(|e| InspectError::io("write", path, e))
}

/// The GraphML document of the simulated graph (undirected; Sybils included). Node ids are
/// the node indices of `nodes.csv` and `trace.jsonl` (`0`, `1`, ...); every time is in seconds
/// (`first_receipt_s_topicK`, `base_latency_s`).
pub fn graphml(trace: &Trace) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
         http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n\
         <key id=\"role\" for=\"node\" attr.name=\"role\" attr.type=\"string\"/>\n\
         <key id=\"adversary\" for=\"node\" attr.name=\"adversary\" attr.type=\"boolean\"/>\n\
         <key id=\"sybil\" for=\"node\" attr.name=\"sybil\" attr.type=\"boolean\"/>\n",
    );
    let topics = &trace.rec.topics;
    for k in 0..topics.len() {
        let _ = writeln!(
            s,
            "<key id=\"t{k}\" for=\"node\" attr.name=\"first_receipt_s_topic{k}\" \
             attr.type=\"double\"/>"
        );
    }
    s.push_str(
        "<key id=\"latency\" for=\"edge\" attr.name=\"base_latency_s\" attr.type=\"double\"/>\n\
         <graph id=\"G\" edgedefault=\"undirected\">\n",
    );
    for i in 0..trace.node_count() {
        let _ = write!(
            s,
            "<node id=\"{i}\"><data key=\"role\">{}</data>\
             <data key=\"adversary\">{}</data><data key=\"sybil\">{}</data>",
            trace.roles[i], trace.adversary[i], trace.sybil[i]
        );
        for (k, t) in topics.iter().enumerate() {
            if let Some(secs) = receipt_s(t, i as u32) {
                let _ = write!(s, "<data key=\"t{k}\">{secs}</data>");
            }
        }
        s.push_str("</node>\n");
    }
    for (a, b, ms) in &trace.edges {
        let secs = ms / 1e3;
        let _ = writeln!(
            s,
            "<edge source=\"{a}\" target=\"{b}\"><data key=\"latency\">{secs}</data></edge>"
        );
    }
    s.push_str("</graph>\n</graphml>\n");
    s
}

/// The header of `payments.csv`.
pub const PAYMENTS_HEADER: [&str; 11] = [
    "payment",
    "time_s",
    "payer",
    "payee",
    "amount_msat",
    "attempt",
    "hops",
    "failing_hop",
    "fee_msat",
    "outcome",
    "final",
];

/// Writes `payments.csv`: one row per Lightning payment attempt, in the order made (no rows
/// for a run without Lightning).
pub fn write_payments(path: &Path, trace: &Trace) -> Result<(), InspectError> {
    let err = |e: csv::Error| InspectError::Csv {
        path: path.to_path_buf(),
        source: e,
    };
    let mut w = csv::Writer::from_path(path).map_err(err)?;
    w.write_record(PAYMENTS_HEADER).map_err(err)?;
    let rows = trace.rec.payments.as_deref().unwrap_or_default();
    let opt = |v: Option<u32>| v.map_or(String::new(), |v| v.to_string());
    for (i, p) in rows.iter().enumerate() {
        let last = rows.get(i + 1).is_none_or(|next| next.payment != p.payment);
        w.write_record([
            p.payment.to_string().as_str(),
            &(p.at_us as f64 / 1e6).to_string(),
            &p.payer.to_string(),
            &p.payee.to_string(),
            &p.amount_msat.to_string(),
            &p.attempt.to_string(),
            &opt(p.hops),
            &opt(p.failing_hop),
            &p.fee_msat.to_string(),
            p.outcome,
            if last { "true" } else { "false" },
        ])
        .map_err(err)?;
    }
    w.flush().map_err(|e| InspectError::io("write", path, e))
}

/// The header of `reputation.csv`.
pub const REPUTATION_HEADER: [&str; 8] = [
    "time_s", "node", "peer", "offered", "paid", "failed", "score", "change",
];

/// Writes `reputation.csv`: one row per change of a node's score of a peer, in the
/// order they happened, with the counts and the score after it.
pub fn write_reputation(path: &Path, trace: &Trace) -> Result<(), InspectError> {
    let err = |e: csv::Error| InspectError::Csv {
        path: path.to_path_buf(),
        source: e,
    };
    let mut w = csv::Writer::from_path(path).map_err(err)?;
    w.write_record(REPUTATION_HEADER).map_err(err)?;
    for r in trace.rec.reputation.as_deref().unwrap_or_default() {
        w.write_record([
            (r.t_us as f64 / 1e6).to_string().as_str(),
            &r.node.to_string(),
            &r.peer.to_string(),
            &r.offered.to_string(),
            &r.paid.to_string(),
            &r.failed.to_string(),
            &r.score().to_string(),
            r.what,
        ])
        .map_err(err)?;
    }
    w.flush().map_err(|e| InspectError::io("write", path, e))
}
