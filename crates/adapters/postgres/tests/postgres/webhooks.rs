//! Webhook endpoint management against real PostgreSQL (SPEC §6, issue 15 item 8): deleting
//! cancels what is pending and an attempt in flight cannot revive it; a disabled endpoint's
//! deliveries are held; a rotation keeps the replaced secret, sealed, until its overlap ends.

use chrono::{Duration, TimeZone, Utc};
use realname_domain::webhook::{EndpointUrl, WebhookEndpoint, WebhookSecret};
use realname_ports::{DeliveryStatus, DeliveryUpdate, EventFeed, Page, StoreError, WebhookStore};
use realname_test_support::TestDb;
use uuid::Uuid;

use crate::common::{count, exec};

fn endpoint() -> WebhookEndpoint {
    WebhookEndpoint {
        id: Uuid::now_v7(),
        url: EndpointUrl::parse("http://127.0.0.1:1/hook", true).unwrap(),
        event_types: Vec::new(),
        disabled: false,
        created_at: Utc::now(),
        secret_rotated_at: None,
        previous_secret_expires_at: None,
    }
}

/// Two events in the outbox, visible in the feed.
async fn two_events(db: &TestDb) -> Vec<Uuid> {
    let ids = vec![Uuid::now_v7(), Uuid::now_v7()];
    for id in &ids {
        exec(
            &db.url,
            &format!(
                "INSERT INTO events (id, account_id, sequence, type, data, created_at) \
                 VALUES ('{id}', NULL, NULL, 'enterprise.quota_changed', '{{}}', now())"
            ),
        )
        .await;
    }
    ids
}

fn page(limit: u32) -> Page<Uuid> {
    Page {
        starting_after: None,
        limit,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_cancels_pending_deliveries_and_a_late_attempt_does_not_revive_them() {
    let db = TestDb::new().await;
    let store = db.store(2);
    let events = two_events(&db).await;
    let hook = endpoint();
    let secret = WebhookSecret::from_stored("whsec_a".into());
    store.create_endpoint(&hook, &secret, None).await.unwrap();
    let now = Utc::now();
    store.queue(hook.id, &events, events[1], now).await.unwrap();

    // One delivery is in flight (claimed) when the endpoint is deleted.
    let claimed = store
        .claim_deliveries(now, "worker", Duration::minutes(1), 1)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    store.delete_endpoint(hook.id, now).await.unwrap();
    store
        .record_attempts(
            "worker",
            &[DeliveryUpdate {
                endpoint_id: hook.id,
                event_id: claimed[0].event.id,
                status: DeliveryStatus::Delivered,
                attempts: 1,
                next_attempt_at: None,
                last_error: None,
                attempted_at: now,
            }],
        )
        .await
        .unwrap();

    assert_eq!(
        count(
            &db.url,
            "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'cancelled'"
        )
        .await,
        2,
        "both were cancelled, the one in flight included"
    );
    assert!(matches!(
        store.endpoint(hook.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_endpoint(hook.id, now).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.endpoints().await.unwrap().is_empty());
    assert!(store.list_endpoints(page(10)).await.unwrap().0.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disabled_endpoints_deliveries_are_held_until_it_is_enabled() {
    let db = TestDb::new().await;
    let store = db.store(2);
    let events = two_events(&db).await;
    let hook = endpoint();
    store
        .create_endpoint(&hook, &WebhookSecret::from_stored("whsec_a".into()), None)
        .await
        .unwrap();
    let now = Utc::now();
    store.queue(hook.id, &events, events[1], now).await.unwrap();

    assert!(store.set_disabled(hook.id, true).await.unwrap().disabled);
    let held = store
        .claim_deliveries(now, "worker", Duration::minutes(1), 10)
        .await
        .unwrap();
    assert!(held.is_empty(), "nothing is claimed while disabled");

    assert!(!store.set_disabled(hook.id, false).await.unwrap().disabled);
    let resumed = store
        .claim_deliveries(now, "worker", Duration::minutes(1), 10)
        .await
        .unwrap();
    assert_eq!(resumed.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotation_keeps_the_old_secret_sealed_until_its_overlap_ends() {
    let db = TestDb::new().await;
    let store = db.store(2);
    let events = two_events(&db).await;
    let hook = endpoint();
    store
        .create_endpoint(&hook, &WebhookSecret::from_stored("whsec_old".into()), None)
        .await
        .unwrap();
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    let until = at + Duration::hours(24);
    let rotated = store
        .rotate_secret(
            hook.id,
            &WebhookSecret::from_stored("whsec_new".into()),
            at,
            until,
        )
        .await
        .unwrap();
    assert_eq!(rotated.secret_rotated_at, Some(at));
    assert_eq!(rotated.previous_secret_expires_at, Some(until));
    assert_eq!(
        count(
            &db.url,
            "SELECT count(*) AS n FROM webhook_endpoints \
             WHERE position('whsec'::bytea in secret_enc || previous_secret_enc) > 0"
        )
        .await,
        0,
        "both secrets are sealed at rest"
    );

    store.queue(hook.id, &events, events[1], at).await.unwrap();
    let claimed = store
        .claim_deliveries(at, "worker", Duration::minutes(1), 1)
        .await
        .unwrap();
    let secrets = &claimed[0].secrets;
    assert_eq!(secrets.current.expose(), "whsec_new");
    let (previous, ends) = secrets.previous.as_ref().unwrap();
    assert_eq!((previous.expose(), *ends), ("whsec_old", until));

    assert_eq!(
        store
            .drop_previous_secrets(until - Duration::seconds(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.drop_previous_secrets(until).await.unwrap(), 1);
    let after = store
        .claim_deliveries(at, "other", Duration::minutes(1), 1)
        .await
        .unwrap();
    assert!(
        after[0].secrets.previous.is_none(),
        "the old secret is gone"
    );
    assert!(
        store
            .endpoint(hook.id)
            .await
            .unwrap()
            .previous_secret_expires_at
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_head_is_the_last_visible_event_and_endpoints_page_oldest_first() {
    let db = TestDb::new().await;
    let store = db.store(2);
    assert_eq!(store.head().await.unwrap(), None);
    let events = two_events(&db).await;
    let mut head = None;
    for _ in 0..100 {
        head = store.head().await.unwrap();
        if head == Some(events[1]) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(head, Some(events[1]));

    let hooks: Vec<WebhookEndpoint> = (0..3).map(|_| endpoint()).collect();
    for hook in &hooks {
        store
            .create_endpoint(hook, &WebhookSecret::from_stored("whsec_a".into()), head)
            .await
            .unwrap();
    }
    let (first, more) = store.list_endpoints(page(2)).await.unwrap();
    assert_eq!((first.len(), more), (2, true));
    assert_eq!(first[0].id, hooks[0].id);
    let (rest, more) = store
        .list_endpoints(Page {
            starting_after: Some(first[1].id),
            limit: 2,
        })
        .await
        .unwrap();
    assert_eq!((rest.len(), more), (1, false));
    assert_eq!(rest[0].id, hooks[2].id);
    let cursors: Vec<_> = store
        .endpoints()
        .await
        .unwrap()
        .into_iter()
        .map(|(_, cursor)| cursor)
        .collect();
    assert_eq!(cursors, [head; 3]);
}
