// Generated from contracts/schemas by contracts/typescript/generate.cjs: do not edit.

export type EngagementEvent =
  | ActionItemAssignedV1
  | ActionItemDoneV1
  | CertificateIssuedV1
  | IssueProposedV1
  | MeetingCancelledV1
  | MeetingHeldV1
  | MeetingNameErasedV1
  | MeetingScheduledV1
  | MotionVotedV1
  | ResolutionAdoptedV1
  | ServiceSessionCheckedInV1
  | ServiceSessionCheckedOutV1
  | TrainingAttendedV1
  | VolunteerEnrolledV1
  | VolunteerErasedV1;

/**
 * Someone (a role, a unit; the name sealed) is to do something by a date.
 */
export interface ActionItemAssignedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "meeting";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * Someone (a role, a unit; the name sealed) is to do something by a date.
   */
  data: {
    action_id: string;
    assigned_on: string;
    due_on: string;
    issue_id?: string | null;
    owner_name_sealed?: string | null;
    owner_role:
      | "resident"
      | "resident_representative"
      | "building_head"
      | "community_secretary"
      | "community_cadre"
      | "social_worker"
      | "station_lead"
      | "station_staff"
      | "organisation_leader"
      | "volunteer"
      | "student"
      | "bureau_official"
      | "teacher"
      | "other";
    /**
     * e.g. 大通路社区居委会
     */
    owner_unit?: string | null;
    resolution_id?: string | null;
    title: string;
  };
  event_id?: string;
  event_type: "ActionItemAssigned";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * An action item was reported done; `late` when after its due date.
 */
export interface ActionItemDoneV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "meeting";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * An action item was reported done; `late` when after its due date.
   */
  data: {
    action_id: string;
    done_on: string;
    due_on: string;
    late: boolean;
    note?: string | null;
    title: string;
  };
  event_id?: string;
  event_type: "ActionItemDone";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A certificate of service hours (志愿服务时长证明), verifiable by its number.
 */
export interface CertificateIssuedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "volunteer";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A certificate of service hours (志愿服务时长证明), verifiable by its number.
   */
  data: {
    affiliation?: string | null;
    /**
     * sessions closed at the limit among them
     */
    auto_closed_sessions: number;
    certificate_number: string;
    hours: number;
    issued_on: string;
    minutes: number;
    period_from: string;
    period_to: string;
    /**
     * @minItems 1
     */
    session_ids: [string, ...string[]];
    sessions: number;
  };
  event_id?: string;
  event_type: "CertificateIssued";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * An issue (议题) put to the meeting, by someone in a role; the name, if any, is sealed.
 */
export interface IssueProposedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "meeting";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * An issue (议题) put to the meeting, by someone in a role; the name, if any, is sealed.
   */
  data: {
    detail?: string | null;
    issue_id: string;
    proposed_on: string;
    proposer_name_sealed?: string | null;
    proposer_role:
      | "resident"
      | "resident_representative"
      | "building_head"
      | "community_secretary"
      | "community_cadre"
      | "social_worker"
      | "station_lead"
      | "station_staff"
      | "organisation_leader"
      | "volunteer"
      | "student"
      | "bureau_official"
      | "teacher"
      | "other";
    title: string;
    /**
     * the topic it belongs to
     */
    topic?: string | null;
  };
  event_id?: string;
  event_type: "IssueProposed";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A scheduled meeting will not take place.
 */
export interface MeetingCancelledV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "meeting";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A scheduled meeting will not take place.
   */
  data: {
    cancelled_on: string;
    kind: "resident_deliberation" | "joint_meeting" | "peer_exchange" | "volunteer_workshop" | "other";
    reason: string;
    scheduled_on: string;
    title: string;
  };
  event_id?: string;
  event_type: "MeetingCancelled";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * The meeting took place: who came, what was discussed, what came of it.
 */
export interface MeetingHeldV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "meeting";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * The meeting took place: who came, what was discussed, what came of it.
   */
  data: {
    /**
     * @maxItems 50
     */
    co_organisers?: CoOrganiser[];
    /**
     * e.g. 拉家常式议事, 茶话会
     */
    format?: string | null;
    held_on: string;
    kind: "resident_deliberation" | "joint_meeting" | "peer_exchange" | "volunteer_workshop" | "other";
    members_present?: number | null;
    members_total?: number | null;
    model_station_id?: string | null;
    /**
     * @maxItems 100
     */
    outcomes?: Outcome[];
    /**
     * @maxItems 20
     */
    participant_groups?:
      | []
      | [ParticipantGroup]
      | [ParticipantGroup, ParticipantGroup]
      | [ParticipantGroup, ParticipantGroup, ParticipantGroup]
      | [ParticipantGroup, ParticipantGroup, ParticipantGroup, ParticipantGroup]
      | [ParticipantGroup, ParticipantGroup, ParticipantGroup, ParticipantGroup, ParticipantGroup]
      | [ParticipantGroup, ParticipantGroup, ParticipantGroup, ParticipantGroup, ParticipantGroup, ParticipantGroup]
      | [
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup
        ]
      | [
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup
        ]
      | [
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup
        ]
      | [
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup
        ]
      | [
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup
        ]
      | [
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup
        ]
      | [
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup
        ]
      | [
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup
        ]
      | [
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup
        ]
      | [
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup
        ]
      | [
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup
        ]
      | [
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup
        ]
      | [
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup
        ]
      | [
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup,
          ParticipantGroup
        ];
    /**
     * 共计N人参加
     */
    participants_total?: number | null;
    summary?: string | null;
    theme?: string | null;
    title: string;
    /**
     * @maxItems 50
     */
    topics?: Topic[];
    venue?: string | null;
  };
  event_id?: string;
  event_type: "MeetingHeld";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * An organisation (never a person) that organised or co-organised the meeting.
 */
export interface CoOrganiser {
  kind:
    | "community_committee"
    | "district_bureau"
    | "university_association"
    | "community_organisation"
    | "station"
    | "other";
  /**
   * e.g. 兰州财经大学社会工作协会
   */
  name: string;
  role?: "organiser" | "co_organiser";
  /**
   * when it is a station
   */
  station_id?: string | null;
}
/**
 * What the meeting produced; `group` gathers items the record names together (五大方式).
 */
export interface Outcome {
  group?: string | null;
  kind: "consensus" | "method" | "caution" | "decision" | "follow_up" | "learning" | "other";
  text: string;
}
/**
 * Who took part, by role; `count` is absent where the record gives none.
 */
export interface ParticipantGroup {
  count?: number | null;
  /**
   * e.g. 大通路社区居民代表
   */
  label?: string | null;
  role:
    | "resident"
    | "resident_representative"
    | "building_head"
    | "community_secretary"
    | "community_cadre"
    | "social_worker"
    | "station_lead"
    | "station_staff"
    | "organisation_leader"
    | "volunteer"
    | "student"
    | "bureau_official"
    | "teacher"
    | "other";
}
export interface Topic {
  summary?: string | null;
  /**
   * e.g. 为老服务
   */
  title: string;
}
/**
 * The name of an issue's proposer or an action item's owner erased (PIPL); the item stays,
 *     nameless. Exactly one of `issue_id` and `action_id` is given.
 */
export interface MeetingNameErasedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "meeting";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * The name of an issue's proposer or an action item's owner erased (PIPL); the item stays,
   * nameless. Exactly one of `issue_id` and `action_id` is given.
   */
  data: {
    action_id?: string | null;
    erased_at: string;
    issue_id?: string | null;
    reason: "subject_request" | "retention_expired" | "registered_in_error";
  };
  event_id?: string;
  event_type: "MeetingNameErased";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A station scheduled a meeting it hosts (host station = envelope `station_id`).
 */
export interface MeetingScheduledV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "meeting";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A station scheduled a meeting it hosts (host station = envelope `station_id`).
   */
  data: {
    /**
     * @maxItems 50
     */
    co_organisers?: CoOrganiser[];
    description?: string | null;
    kind: "resident_deliberation" | "joint_meeting" | "peer_exchange" | "volunteer_workshop" | "other";
    /**
     * voting members (议事会成员)
     */
    members_total?: number | null;
    /**
     * the station learned from (互学交流)
     */
    model_station_id?: string | null;
    /**
     * @maxItems 50
     */
    planned_topics?: Topic[];
    /**
     * the meeting's own rules, if any
     */
    quorum_rule?: QuorumRule | null;
    scheduled_on: string;
    /**
     * e.g. 走进社区
     */
    theme?: string | null;
    /**
     * e.g. 春日茶话联席 共语美好未来
     */
    title: string;
    venue?: string | null;
  };
  event_id?: string;
  event_type: "MeetingScheduled";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * 法定人数与表决规则: attendance of members, and the share of votes a motion needs.
 *
 * Quorum: members present >= attendance x members. Passing: votes for > majority x base
 * (>= when `majority_inclusive`); base is the votes cast (for + against, abstentions
 * excluded) or the members present (abstentions then count against).
 */
export interface QuorumRule {
  attendance?: string;
  majority?: string;
  majority_base?: "votes_cast" | "members_present";
  majority_inclusive?: boolean;
}
/**
 * A motion was put to the vote: the count, the rule applied, and whether it passed.
 */
export interface MotionVotedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "meeting";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A motion was put to the vote: the count, the rule applied, and whether it passed.
   */
  data: {
    abstentions: number;
    issue_id?: string | null;
    members_present: number;
    members_total: number;
    motion_id: string;
    passed: boolean;
    quorum_met: boolean;
    quorum_rule: QuorumRule;
    /**
     * votes for needed to pass
     */
    required_for: number;
    required_present: number;
    rule_source: "meeting" | "station" | "settings";
    text: string;
    voted_on: string;
    votes_against: number;
    votes_for: number;
  };
  event_id?: string;
  event_type: "MotionVoted";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A passed motion became a resolution (决议) of the meeting.
 */
export interface ResolutionAdoptedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "meeting";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A passed motion became a resolution (决议) of the meeting.
   */
  data: {
    adopted_on: string;
    motion_id: string;
    resolution_id: string;
    text: string;
  };
  event_id?: string;
  event_type: "ResolutionAdopted";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * The volunteer started a service session at the station.
 */
export interface ServiceSessionCheckedInV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "volunteer";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * The volunteer started a service session at the station.
   */
  data: {
    activity: string;
    checked_in_at: string;
    meeting_id?: string | null;
    session_id: string;
  };
  event_id?: string;
  event_type: "ServiceSessionCheckedIn";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A session ended; `auto_closed` when it was closed at the limit instead of by check-out.
 */
export interface ServiceSessionCheckedOutV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "volunteer";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A session ended; `auto_closed` when it was closed at the limit instead of by check-out.
   */
  data: {
    auto_closed: boolean;
    checked_in_at: string;
    checked_out_at: string;
    limit_hours: number;
    minutes: number;
    session_id: string;
  };
  event_id?: string;
  event_type: "ServiceSessionCheckedOut";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * The volunteer attended a training, often a workshop meeting (共学坊).
 */
export interface TrainingAttendedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "volunteer";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * The volunteer attended a training, often a workshop meeting (共学坊).
   */
  data: {
    attended_on: string;
    meeting_id?: string | null;
    minutes?: number | null;
    title: string;
    training_id: string;
  };
  event_id?: string;
  event_type: "TrainingAttended";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A station enrolled a volunteer; name and phone sealed with the volunteer's own key.
 */
export interface VolunteerEnrolledV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "volunteer";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A station enrolled a volunteer; name and phone sealed with the volunteer's own key.
   */
  data: {
    /**
     * e.g. 兰州财经大学社会工作协会
     */
    affiliation?: string | null;
    category: "student" | "resident" | "professional" | "other";
    enrolled_on: string;
    name_sealed: string;
    phone_sealed?: string | null;
    /**
     * @maxItems 30
     */
    skills?: string[];
  };
  event_id?: string;
  event_type: "VolunteerEnrolled";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * The volunteer's name and phone erased (PIPL); hours and certificates stay, without a name.
 */
export interface VolunteerErasedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "volunteer";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * The volunteer's name and phone erased (PIPL); hours and certificates stay, without a name.
   */
  data: {
    erased_at: string;
    reason: "subject_request" | "retention_expired" | "registered_in_error";
  };
  event_id?: string;
  event_type: "VolunteerErased";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
