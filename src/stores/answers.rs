//! The answer cache a fleet shares: one Redis string per answer, its JSON
//! after the generation of the caller's lists it was kept under, expiring
//! when the local store would drop it.
//!
//! A change to the caller's lists moves the generation on rather than
//! looking for the answers that depend on them: one increment instead of a
//! scan of the keyspace, and an answer of an older generation is a miss.

use super::{Redis, Store};
use crate::cache::CacheKey;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Keeps an answer under the current generation of the caller's lists (or
/// 0, for an answer that does not depend on them), in one round trip.
/// KEYS: the answer's name, the generation's. ARGV: the answer's JSON
/// (`fresh_until_ms` and `answer`), how long Redis keeps it in ms, `1` if it
/// depends on the lists.
const KEEP: &str = r"
local generation = '0'
if ARGV[3] == '1' then generation = redis.call('GET', KEYS[2]) or '0' end
redis.call('SET', KEYS[1], generation .. '\n' .. ARGV[1], 'PX', ARGV[2])
return 1
";

#[derive(Serialize)]
struct Kept<'a, T> {
    /// Until when the answer is fresh, in ms since 1970: wall-clock time,
    /// which every instance shares (within the clocks' agreement).
    fresh_until_ms: u64,
    answer: &'a T,
}

#[derive(serde::Deserialize)]
struct Found<T> {
    fresh_until_ms: u64,
    answer: T,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl Redis {
    /// The name of the answer to `key`: the operation and a hash of its
    /// arguments, which are the caller's data and may be long.
    fn answer_name(&self, key: &CacheKey) -> String {
        let arguments = Sha256::digest(key.arguments());
        let arguments: String = arguments[..16].iter().map(|b| format!("{b:02x}")).collect();
        self.name(&format!("answer:{}:{arguments}", key.operation()))
    }

    fn generation_name(&self) -> String {
        self.name("lists-generation")
    }

    /// The fresh answer under `key` and how long it stays fresh, if Redis has
    /// one. What does not decode as an answer, or was kept under an older
    /// generation of the caller's lists, is a miss.
    pub(crate) async fn fresh_answer<T: DeserializeOwned>(
        &self,
        key: &CacheKey,
    ) -> Option<(Arc<T>, Duration)> {
        let names = [self.answer_name(key), self.generation_name()];
        let (kept, generation): (Option<Vec<u8>>, Option<String>) = self
            .run(Store::Cache, |mut connection| async move {
                redis::cmd("MGET")
                    .arg(&names)
                    .query_async(&mut connection)
                    .await
            })
            .await?;
        let kept = kept?;
        let newline = kept.iter().position(|b| *b == b'\n')?;
        let (kept_under, json) = (&kept[..newline], &kept[newline + 1..]);
        let depends_on_lists = crate::generated::cache_fact(key.operation())?.1;
        if depends_on_lists && kept_under != generation.as_deref().unwrap_or("0").as_bytes() {
            return None;
        }
        let found: Found<T> = match serde_json::from_slice(json) {
            Ok(found) => found,
            Err(error) => {
                tracing::debug!(%error, "an answer in Redis does not decode; taken as a miss");
                return None;
            }
        };
        let fresh = found.fresh_until_ms.checked_sub(now_ms())?;
        self.stats.shared_hits.fetch_add(1, Ordering::Relaxed);
        Some((Arc::new(found.answer), Duration::from_millis(fresh)))
    }

    /// Keeps `answer` under `key`, fresh for `ttl` and kept `keep_stale` longer.
    pub(crate) async fn keep_answer<T: Serialize>(
        &self,
        key: &CacheKey,
        answer: &T,
        ttl: Duration,
        keep_stale: Duration,
    ) {
        let Some((_, depends_on_lists)) = crate::generated::cache_fact(key.operation()) else {
            return;
        };
        let kept = Kept {
            fresh_until_ms: now_ms().saturating_add(ttl.as_millis() as u64),
            answer,
        };
        let Ok(json) = serde_json::to_vec(&kept) else {
            return;
        };
        let keep_ms = (ttl + keep_stale).as_millis().max(1) as u64;
        let names = [self.answer_name(key), self.generation_name()];
        let script = &self.keep_script;
        let _: Option<u8> = self
            .run(Store::Cache, |mut connection| async move {
                script
                    .key(&names[0])
                    .key(&names[1])
                    .arg(json)
                    .arg(keep_ms)
                    .arg(if depends_on_lists { "1" } else { "0" })
                    .invoke_async(&mut connection)
                    .await
            })
            .await;
    }

    /// After a change to the caller's lists: the answers that depend on them
    /// are kept under an older generation from now on.
    pub(crate) async fn drop_list_answers(&self) {
        let name = self.generation_name();
        let _: Option<u64> = self
            .run(Store::Cache, |mut connection| async move {
                redis::cmd("INCR")
                    .arg(&name)
                    .query_async(&mut connection)
                    .await
            })
            .await;
    }
}

/// The script [`Redis::keep_answer`] runs.
pub(super) fn keep_script() -> redis::Script {
    redis::Script::new(KEEP)
}
