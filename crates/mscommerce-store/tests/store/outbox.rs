//! The email outbox: dispatchers claiming messages.

use super::*;

on_every_backend!(two_dispatchers_never_claim_the_same_message);

async fn two_dispatchers_never_claim_the_same_message(f: &Fixture) {
    let contoso = tenant(f, "Contoso").await;
    const MESSAGES: usize = 60;
    for i in 0..MESSAGES {
        f.store
            .create_subscription(
                new_subscription(contoso, PurchaseType::Central, None, 1),
                &actor(),
                Some(message(&format!("r{i}@contoso.com"))),
            )
            .await
            .unwrap();
    }
    let all: Vec<i64> = f
        .store
        .outbox(Some(contoso))
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(all.len(), MESSAGES);
    assert!(all.windows(2).all(|w| w[0] < w[1]), "oldest first");

    let other = f.another().await;
    let claimers = (0..8).map(|i| {
        let store = if i % 2 == 0 {
            Arc::clone(&f.store)
        } else {
            Arc::clone(&other)
        };
        tokio::spawn(async move {
            let mut taken = Vec::new();
            loop {
                let batch = store.claim_messages(3, 60).await.expect("claimed");
                if batch.is_empty() {
                    return taken;
                }
                assert!(batch.windows(2).all(|w| w[0].id < w[1].id));
                taken.extend(batch.into_iter().map(|m| m.id));
            }
        })
    });
    let mut claimed: Vec<i64> = futures_util::future::join_all(claimers)
        .await
        .into_iter()
        .flat_map(|r| r.expect("task"))
        .collect();
    let count = claimed.len();
    claimed.sort();
    claimed.dedup();
    assert_eq!(claimed.len(), count, "a message was handed to two claimers");
    assert_eq!(claimed, all, "every message was claimed");
    assert!(
        f.store.claim_messages(100, 60).await.unwrap().is_empty(),
        "leased messages are hidden"
    );

    // A failed attempt comes back when its retry is due; a sent message never does.
    f.store
        .mark_message_failed(all[0], "connection refused", 0)
        .await
        .unwrap();
    f.store.mark_message_sent(all[1]).await.unwrap();
    f.store
        .mark_message_failed(all[2], "later", 3600)
        .await
        .unwrap();
    let again = f.store.claim_messages(100, 1).await.unwrap();
    assert_eq!(
        again.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(),
        vec![(all[0], 1)]
    );
    // A dispatcher that died holding a lease: the message comes back when the lease ends.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let back = f.store.claim_messages(100, 60).await.unwrap();
    assert_eq!(back.iter().map(|m| m.id).collect::<Vec<_>>(), vec![all[0]]);
    f.store.mark_message_sent(all[0]).await.unwrap();
    assert!(f.store.claim_messages(100, 60).await.unwrap().is_empty());
}
