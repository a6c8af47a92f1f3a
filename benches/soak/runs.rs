//! The mixed run against a simulator with failures injected, and the `kill -9` rounds.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::calls::{one_call, Ended, Tally};
use crate::common::Server;
use crate::model::{adopt, model_view, wallet_ids, wallets_in, Model};
use crate::{client, rss_mib, WORKERS};

pub(crate) async fn mixed_run(calls: u64, dir: &Path) -> bool {
    let path = dir.join("soak.db");
    let server = Server::start(&[
        "--state",
        path.to_str().expect("path"),
        "--fail-rate",
        "0.05",
    ]);
    let client = client(&server.url);
    let tally = Arc::new(Tally::default());
    let next = Arc::new(AtomicU64::new(0));
    let rss = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let workers: Vec<_> = (0..WORKERS)
        .map(|worker| {
            let (client, tally, next, rss) =
                (client.clone(), tally.clone(), next.clone(), rss.clone());
            tokio::spawn(async move {
                let ids = wallet_ids(worker);
                let mut model = Model::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= calls {
                        return model;
                    }
                    if n % (calls / 20).max(1) == 0 {
                        rss.lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push(rss_mib());
                    }
                    let id = &ids[fastrand::usize(..ids.len())];
                    let ended = one_call(&client, &mut model, id, &tally).await;
                    tally.count(&ended);
                }
            })
        })
        .collect();
    let mut model = Model::new();
    for worker in workers {
        model.extend(worker.await.expect("worker"));
    }
    let elapsed = started.elapsed();
    drop(client);
    let stopped = server.terminate();
    let stored = wallets_in(&path);
    let expected = model_view(&model);
    let rss = rss.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let half = rss.len() / 2;
    let early = rss[..half.max(1)].iter().cloned().fold(0.0, f64::max);
    let late = rss[half..].iter().cloned().fold(0.0, f64::max);
    let flat = late <= early * 1.1 + 2.0;
    let wrong = tally
        .wrong
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    println!("## Mixed run: {calls} calls, 32 workers, --fail-rate 0.05, SQLite state\n");
    println!(
        "- {:.0} s, {:.0} calls/s; answered as the model predicted: {}; injected 99: {}; no answer (dropped): {}",
        elapsed.as_secs_f64(),
        calls as f64 / elapsed.as_secs_f64(),
        tally.predicted.load(Ordering::Relaxed),
        tally.injected_99.load(Ordering::Relaxed),
        tally.no_answer.load(Ordering::Relaxed)
    );
    println!(
        "- client RSS (MiB) over the run: {}; {}",
        rss.iter()
            .map(|r| format!("{r:.1}"))
            .collect::<Vec<_>>()
            .join(" "),
        if flat { "flat" } else { "GROWING" }
    );
    println!(
        "- graceful stop: {}; final database: {} wallets, {} the model built from the calls answered 00",
        if stopped { "exit 0" } else { "FAILED" },
        stored.len(),
        if stored == expected { "equal to" } else { "DIFFERENT FROM" }
    );
    for w in &wrong {
        println!("- disagreement: {w}");
    }
    stopped && flat && stored == expected && wrong.is_empty()
}

pub(crate) async fn kill_rounds(rounds: usize, dir: &Path) -> bool {
    let path = dir.join("kill.db");
    let path_text = path.to_str().expect("path").to_string();
    let mut model = Model::new();
    let mut all_kept = true;
    println!("\n## kill -9 under load, then restart on the same file ({rounds} rounds)\n");
    for round in 1..=rounds {
        let server = Server::start(&["--state", &path_text]);
        let client = client(&server.url);
        let stop = Arc::new(AtomicBool::new(false));
        let tally = Arc::new(Tally::default());
        let shared_model = Arc::new(Mutex::new(std::mem::take(&mut model)));
        let workers: Vec<_> = (0..WORKERS)
            .map(|worker| {
                let (client, stop, tally, shared_model) = (
                    client.clone(),
                    stop.clone(),
                    tally.clone(),
                    shared_model.clone(),
                );
                tokio::spawn(async move {
                    let ids = wallet_ids(worker);
                    let mut mine: Model = {
                        let all = shared_model.lock().unwrap_or_else(|p| p.into_inner());
                        all.iter()
                            .filter(|(id, _)| ids.contains(id))
                            .map(|(id, w)| (id.clone(), w.clone()))
                            .collect()
                    };
                    let mut uncertain = None;
                    while !stop.load(Ordering::Relaxed) {
                        let id = &ids[fastrand::usize(..ids.len())];
                        let ended = one_call(&client, &mut mine, id, &tally).await;
                        tally.count(&ended);
                        if let Ended::NoAnswer = ended {
                            uncertain = Some(id.clone());
                            break;
                        }
                    }
                    (mine, uncertain)
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(200 + fastrand::u64(..600))).await;
        server.kill_9();
        stop.store(true, Ordering::Relaxed);
        let mut uncertain = BTreeSet::new();
        for worker in workers {
            let (mine, wallet) = worker.await.expect("worker");
            model.extend(mine);
            uncertain.extend(wallet);
        }
        drop(client);
        // After the restart: every wallet whose calls were all answered must be as the model says;
        // a wallet with a call in flight at the kill may hold either state: the model takes it.
        let stored = wallets_in(&path);
        let expected = model_view(&model);
        let mut lost = 0;
        for worker in 0..WORKERS {
            for id in wallet_ids(worker) {
                if uncertain.contains(&id) {
                    continue;
                }
                if stored.get(&id) != expected.get(&id) {
                    lost += 1;
                }
            }
        }
        for id in &uncertain {
            adopt(&mut model, id, stored.get(id));
        }
        let wrong = tally.wrong.lock().unwrap_or_else(|p| p.into_inner()).len();
        println!(
            "- round {round}: {} calls answered before the kill, {} in flight; wallets with an acknowledged change lost: {lost}; disagreements: {wrong}",
            tally.predicted.load(Ordering::Relaxed),
            uncertain.len()
        );
        all_kept &= lost == 0 && wrong == 0;
        // The restart itself must open the file the killed simulator left.
        let check = Server::start(&["--state", &path_text]);
        all_kept &= check.terminate();
    }
    all_kept
}
