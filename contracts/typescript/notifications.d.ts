// Generated from contracts/schemas by contracts/typescript/generate.cjs: do not edit.

export type NotificationsEvent =
  | NotificationFailedV1
  | NotificationReadV1
  | NotificationRedrivenV1
  | NotificationSentV1
  | RecipientErasedV1
  | RecipientRegisteredV1
  | RecipientRemovedV1
  | RecipientUpdatedV1
  | ReminderScheduledV1
  | RuleDefinedV1
  | RuleDisabledV1
  | SubscriptionSetV1;

/**
 * An attempt failed; `dead` when no attempt is left (the dead letter), else retried later.
 */
export interface NotificationFailedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "notification";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * An attempt failed; `dead` when no attempt is left (the dead letter), else retried later.
   */
  data: {
    attempt: number;
    channel: "inbox" | "email" | "webhook" | "wecom" | "dingtalk" | "sms";
    dead?: boolean;
    delivery_id: string;
    next_attempt_at?: string | null;
    reason: string;
    recipient_id: string;
    rule_id: string;
  };
  event_id?: string;
  event_type: "NotificationFailed";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * The recipient opened an in-app notification.
 */
export interface NotificationReadV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "notification";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * The recipient opened an in-app notification.
   */
  data: {
    delivery_id: string;
    recipient_id: string;
  };
  event_id?: string;
  event_type: "NotificationRead";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * An operator sent a dead notification back for delivery.
 */
export interface NotificationRedrivenV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "notification";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * An operator sent a dead notification back for delivery.
   */
  data: {
    delivery_id: string;
  };
  event_id?: string;
  event_type: "NotificationRedriven";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A recipient was told, through one channel: the audit line of who was told what and when.
 */
export interface NotificationSentV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "notification";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A recipient was told, through one channel: the audit line of who was told what and when.
   */
  data: {
    attempt: number;
    body: string;
    channel: "inbox" | "email" | "webhook" | "wecom" | "dingtalk" | "sms";
    delivery_id: string;
    recipient_id: string;
    rule_id: string;
    source_event_id: string;
    source_event_type: string;
    template_id: string;
    title: string;
  };
  event_id?: string;
  event_type: "NotificationSent";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * The recipient's name, email and webhook secret erased (PIPL); nothing more is sent to them.
 */
export interface RecipientErasedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "recipient";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * The recipient's name, email and webhook secret erased (PIPL); nothing more is sent to them.
   */
  data: {
    erased_at: string;
    reason: "subject_request" | "retention_expired" | "registered_in_error";
  };
  event_id?: string;
  event_type: "RecipientErased";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A member of staff (or an organisation's contact) entered the directory.
 */
export interface RecipientRegisteredV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "recipient";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A member of staff (or an organisation's contact) entered the directory.
   */
  data: {
    district_id: string;
    email_sealed?: string | null;
    name_sealed?: string | null;
    /**
     * the login subject, so the inbox is theirs
     */
    recipient_id: string;
    /**
     * ids by which other domains' events name this person: a worker id, an organisation id, an owner unit such as 大通路社区居委会
     *
     * @maxItems 20
     */
    refs?:
      | []
      | [string]
      | [string, string]
      | [string, string, string]
      | [string, string, string, string]
      | [string, string, string, string, string]
      | [string, string, string, string, string, string]
      | [string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string, string, string, string]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ];
    role: "social_worker" | "station_lead" | "district_officer" | "org_contact";
    /**
     * None for district staff
     */
    station_id?: string | null;
    webhook_secret_sealed?: string | null;
    webhook_url?: string | null;
  };
  event_id?: string;
  event_type: "RecipientRegistered";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A recipient left the directory: nothing more is planned for them.
 */
export interface RecipientRemovedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "recipient";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A recipient left the directory: nothing more is planned for them.
   */
  data: {};
  event_id?: string;
  event_type: "RecipientRemoved";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A recipient's addresses changed; absent fields are unchanged.
 */
export interface RecipientUpdatedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "recipient";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A recipient's addresses changed; absent fields are unchanged.
   */
  data: {
    email_sealed?: string | null;
    name_sealed?: string | null;
    refs?:
      | []
      | [string]
      | [string, string]
      | [string, string, string]
      | [string, string, string, string]
      | [string, string, string, string, string]
      | [string, string, string, string, string, string]
      | [string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string, string, string, string]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | null;
    webhook_secret_sealed?: string | null;
    webhook_url?: string | null;
  };
  event_id?: string;
  event_type: "RecipientUpdated";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A reminder rule's timer was set by a source event; it fires once at `fire_at`.
 */
export interface ReminderScheduledV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "reminder";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A reminder rule's timer was set by a source event; it fires once at `fire_at`.
   */
  data: {
    fire_at: string;
    reminder_id: string;
    rule_id: string;
    source_event_id: string;
    source_event_type: string;
    subject_key: string;
  };
  event_id?: string;
  event_type: "ReminderScheduled";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A notification rule set for a station or a district; it applies to events recorded after it.
 */
export interface RuleDefinedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "rule";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A notification rule set for a station or a district; it applies to events recorded after it.
   */
  data: {
    audience: Audience;
    channel: "inbox" | "email" | "webhook" | "wecom" | "dingtalk" | "sms";
    /**
     * @maxItems 10
     */
    conditions?:
      | []
      | [Condition]
      | [Condition, Condition]
      | [Condition, Condition, Condition]
      | [Condition, Condition, Condition, Condition]
      | [Condition, Condition, Condition, Condition, Condition]
      | [Condition, Condition, Condition, Condition, Condition, Condition]
      | [Condition, Condition, Condition, Condition, Condition, Condition, Condition]
      | [Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition]
      | [Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition]
      | [Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition];
    description?: string | null;
    reminder?: Reminder | null;
    rule_id: string;
    scope: "station" | "district";
    scope_id: string;
    template_id: string;
    /**
     * the event type that sets the rule off
     */
    trigger: string;
  };
  event_id?: string;
  event_type: "RuleDefined";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * Who is told: recipients in the event's station (or district-wide staff of its district)
 * with this role; with `match_field`, only those the event names in that field (an assigned
 * worker, an owner unit), matched against their id or their `refs`. Name at least one.
 */
export interface Audience {
  match_field?: string | null;
  role?: ("social_worker" | "station_lead" | "district_officer" | "org_contact") | null;
}
/**
 * A test on one field of the source event's data (dotted for nested fields).
 */
export interface Condition {
  field: string;
  op?: "eq" | "ne" | "in" | "not_in" | "exists" | "missing" | "gte" | "lte";
  value?: string | number | number | boolean | (string | number | number | boolean)[] | null;
}
/**
 * Fire later instead of at once: at a date or time in the event (or when it happened),
 * shifted by the offsets and, with `weekday`, moved on to the next such weekday.
 *
 * The reminder is about a subject, `key` (a template over the event's fields and
 * `{aggregate_id}`, `{station_id}`, `{district_id}`, `{week}`): an event of a `cancel_on` type
 * with the same key cancels it; with `repeat = "supersede"` a newer trigger for the key
 * replaces a pending reminder, with `repeat = "once"` the key fires once and later triggers
 * are ignored.
 */
export interface Reminder {
  /**
   * None: the event's occurred_at
   */
  at_field?: string | null;
  /**
   * local time (UTC+8) on a date-only `at_field` or a `weekday`
   */
  at_time?: string;
  /**
   * @maxItems 10
   */
  cancel_on?:
    | []
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string];
  key?: string;
  offset_days?: number;
  offset_minutes?: number;
  repeat?: "supersede" | "once";
  /**
   * 1 = Monday ... 7 = Sunday
   */
  weekday?: number | null;
}
/**
 * A rule stopped: events recorded after this plan nothing more under it.
 */
export interface RuleDisabledV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "rule";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A rule stopped: events recorded after this plan nothing more under it.
   */
  data: {
    reason?: string | null;
  };
  event_id?: string;
  event_type: "RuleDisabled";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A recipient chose the channel for one topic (a template id); `none` mutes it.
 */
export interface SubscriptionSetV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "recipient";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A recipient chose the channel for one topic (a template id); `none` mutes it.
   */
  data: {
    channel: ("inbox" | "email" | "webhook" | "wecom" | "dingtalk" | "sms") | "none";
    topic: string;
  };
  event_id?: string;
  event_type: "SubscriptionSet";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
