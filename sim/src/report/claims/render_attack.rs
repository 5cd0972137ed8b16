//! Sentences of the attack and Lightning claims.

use super::super::format::{fmt_fixed, md_escape};
use super::super::model::Dataset;
use super::stat::Stat;
use super::words::{
    capitalise, dec, diff_text, group_text, join, name, names, phrase, share, stat_text, tests,
};
use super::{Claim, Direction, Step};

/// The sentence of a [`Claim::Attack`].
pub(super) fn attack(d: &Dataset, c: &Claim) -> String {
    let Claim::Attack {
        attack,
        metric,
        limit,
        group,
        baseline,
        steps,
        top,
        ..
    } = c
    else {
        return String::new();
    };
    let Some(last) = steps.last() else {
        return String::new();
    };
    let what =
        super::attack::headline(attack).map_or_else(|| phrase(metric), |h| h.what.to_owned());
    let with = if group.is_empty() {
        String::new()
    } else {
        format!(", with {}", group_text(group))
    };
    let mut s = match super::attack::headline(attack) {
        Some(_) => format!("The `{attack}` attack, headline `{metric}` ({what}){with}: "),
        None => format!("The attack, headline `{metric}` ({what}){with}: "),
    };
    let values: Vec<&Stat> = baseline.iter().chain(top).collect();
    let dec = dec(&values);
    if let Some(b) = baseline {
        s.push_str(&format!(
            "{} at share {}, ",
            stat_text(b, dec, false),
            share(d, b.point())
        ));
    }
    if let Some(t) = top {
        s.push_str(&format!(
            "{} at share {}",
            stat_text(t, dec, false),
            md_escape(&last.share)
        ));
    }
    if limit.is_none() {
        s.push_str(&format!(
            ", a paired change of {} ({})",
            diff_text(&last.stat),
            tests(&[&last.stat])
        ));
    }
    s.push_str(". ");
    s.push_str(&success(c, last));
    s
}

/// "It first succeeds at share …" or "No share up to … ".
fn success(c: &Claim, last: &Step) -> String {
    let Claim::Attack {
        harmful,
        limit,
        steps,
        first,
        cost,
        ..
    } = c
    else {
        return String::new();
    };
    let side = match harmful {
        Direction::Up => "above",
        Direction::Down => "below",
    };
    let of = match limit {
        Some(l) => fmt_fixed(*l, 0),
        None => "0".to_owned(),
    };
    let what = if limit.is_some() { "mean" } else { "change" };
    let cost_text = |at: &str| match cost {
        Some(k) => format!(
            "; the attacker's cost at share {at}: `{}` {}",
            k.metric(),
            stat_text(k, dec(&[k]), false)
        ),
        None => String::new(),
    };
    match first {
        Some(i) => {
            let step = &steps[*i];
            let share = md_escape(&step.share);
            format!(
                "It first succeeds at share {share}, the first whose {what} has a 95 % CI \
                 {side} {of}: {}{}.",
                diff_or_value(&step.stat, limit.is_none()),
                cost_text(&share)
            )
        }
        None => {
            let share = md_escape(&last.share);
            format!(
                "It succeeds at no share up to {share}: no {what} has a 95 % CI {side} {of}{}.",
                cost_text(&share)
            )
        }
    }
}

fn diff_or_value(s: &Stat, is_diff: bool) -> String {
    if is_diff {
        diff_text(s)
    } else {
        stat_text(s, dec(&[s]), false)
    }
}

/// The sentence of a [`Claim::Earnings`].
pub(super) fn earnings(d: &Dataset, more: &[Stat], less: &[Stat], unclear: &[Stat]) -> String {
    let total = more.len() + less.len() + unclear.len();
    let all: Vec<&Stat> = more.iter().chain(less).chain(unclear).collect();
    let mut s = format!(
        "Per node, honest nodes earn more fees than adversarial nodes at {} of the {total} \
         attacked points where both earn",
        more.len()
    );
    if !less.is_empty() {
        let who: Vec<usize> = less.iter().map(Stat::point).collect();
        s.push_str(&format!(", less at {} ({})", less.len(), names(d, &who)));
    }
    if !unclear.is_empty() {
        s.push_str(&format!(
            ", and the difference has a 95 % CI containing 0 at {}",
            unclear.len()
        ));
    }
    s.push_str(&format!(
        " ({}: fees earned per honest node minus per adversarial node in each run).",
        tests(&all)
    ));
    s
}

/// A swept key in words.
fn key_text(key: &str) -> String {
    if key.ends_with("routing_fee_sat") {
        format!("the middlemen's invoice size (`{key}`)")
    } else if key.ends_with("capacity_scale") {
        format!("channel capacity (`{key}`)")
    } else {
        format!("`{key}`")
    }
}

/// The sentence of a [`Claim::Effect`].
pub(super) fn effect(d: &Dataset, c: &Claim) -> String {
    let Claim::Effect {
        metric,
        key,
        from,
        to,
        up,
        down,
        unclear,
    } = c
    else {
        return String::new();
    };
    let all: Vec<&Stat> = up.iter().chain(down).chain(unclear).collect();
    let mut items: Vec<&Stat> = all.clone();
    items.sort_by_key(|s| s.point());
    let labels: Vec<String> = items
        .iter()
        .take(6)
        .map(|s| {
            let others: Vec<(String, String)> = d
                .point(s.point())
                .map(|p| p.params.iter().filter(|(k, _)| k != key).cloned().collect())
                .unwrap_or_default();
            let at = if others.is_empty() {
                String::new()
            } else {
                format!(" at {}", group_text(&others))
            };
            format!("{}{at}", diff_text(s))
        })
        .collect();
    let mut labels = labels;
    if items.len() > 6 {
        labels.push(format!("{} more", items.len() - 6));
    }
    let counts = [
        (down.len(), "a detectable fall"),
        (up.len(), "a detectable rise"),
        (unclear.len(), "no detectable change (95 % CI contains 0)"),
    ];
    let counts: Vec<String> = counts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{what} at {n}"))
        .collect();
    if d.swept.len() < 2 {
        return format!(
            "Moving {} from {} to {} changes {} (`{metric}`) by {} ({}).",
            key_text(key),
            md_escape(from),
            md_escape(to),
            phrase(metric),
            join(&labels),
            tests(&all)
        );
    }
    format!(
        "Moving {} from {} to {} changes {} (`{metric}`) by {} ({}): {} of these {} setting{} of \
         the other swept keys.",
        key_text(key),
        md_escape(from),
        md_escape(to),
        phrase(metric),
        join(&labels),
        tests(&all),
        join(&counts),
        all.len(),
        if all.len() == 1 { "" } else { "s" }
    )
}

/// The sentence of a [`Claim::Limit`].
pub(super) fn limit(d: &Dataset, c: &Claim) -> String {
    let Claim::Limit {
        metric,
        limit,
        above,
        below,
        unclear,
        highest,
    } = c
    else {
        return String::new();
    };
    let total = above.len() + below.len() + unclear.len();
    let l = fmt_fixed(*limit, 0);
    let mut s = format!(
        "{} (`{metric}`) lies above {l} (95 % CI above it) at {} of {total} points",
        capitalise(&phrase(metric)),
        above.len()
    );
    if !above.is_empty() {
        let who: Vec<usize> = above.iter().map(Stat::point).collect();
        s.push_str(&format!(" ({})", names(d, &who)));
    }
    s.push_str(&format!(", below it at {}", below.len()));
    if !unclear.is_empty() {
        s.push_str(&format!(
            " and has a CI containing {l} at {}",
            unclear.len()
        ));
    }
    s.push_str(&format!(
        "; the highest mean is {} at {}.",
        stat_text(highest, dec(&[highest]), false),
        name(d, highest.point())
    ));
    if metric == "ln_fee_overhead" {
        s.push_str(" Above 1, Lightning's routing fees exceed what the middlemen charge.");
    }
    s
}
