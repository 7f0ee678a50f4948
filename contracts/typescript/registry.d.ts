// Generated from contracts/schemas by contracts/typescript/generate.cjs: do not edit.

export type RegistryEvent =
  | OrgChangedV1
  | OrgContactErasedV1
  | OrgConvertedToVolunteerTeamV1
  | OrgDeregisteredV1
  | OrgFiledV1
  | OrgFilingApprovedV1
  | OrgFilingResubmittedV1
  | OrgFilingReturnedV1
  | StationContactErasedV1
  | StationEvaluatedV1
  | StationOpenedV1
  | StationUpdatedV1;

/**
 * A registered organisation changed (变更): name, responsible person, members...; absent = unchanged.
 */
export interface OrgChangedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "organisation";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A registered organisation changed (变更): name, responsible person, members...; absent = unchanged.
   */
  data: {
    activity_area?: string | null;
    members?: number | null;
    name?: string | null;
    note?: string | null;
    /**
     * sealed with the subject `org-contact:<organisation id>` (personal data)
     */
    responsible_person_sealed?: string | null;
    /**
     * sealed with the subject `org-contact:<organisation id>` (personal data)
     */
    responsible_phone_sealed?: string | null;
    venue?: string | null;
  };
  event_id?: string;
  event_type: "OrgChanged";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * The responsible person's name and phone erased (PIPL): their key is destroyed with this event.
 */
export interface OrgContactErasedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "organisation";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * The responsible person's name and phone erased (PIPL): their key is destroyed with this event.
   */
  data: {
    erased_at: string;
    reason: "subject_request" | "retention_expired" | "registered_in_error";
  };
  event_id?: string;
  event_type: "OrgContactErased";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A registered organisation became a volunteer team (转型为志愿服务队).
 */
export interface OrgConvertedToVolunteerTeamV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "organisation";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A registered organisation became a volunteer team (转型为志愿服务队).
   */
  data: {
    /**
     * what the team serves, e.g. 助老陪伴
     */
    service_focus: string;
    /**
     * new name, if any
     */
    team_name?: string | null;
    /**
     * volunteers in the team
     */
    volunteers: number;
  };
  event_id?: string;
  event_type: "OrgConvertedToVolunteerTeam";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A registered organisation was deregistered (注销); its name is free again in its station.
 */
export interface OrgDeregisteredV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "organisation";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A registered organisation was deregistered (注销); its name is free again in its station.
   */
  data: {
    reason: string;
  };
  event_id?: string;
  event_type: "OrgDeregistered";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A community social organisation filed for registration (备案申请) at its station.
 *
 *     The station is the envelope's `station_id`; the filing is pending until returned or approved.
 */
export interface OrgFiledV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "organisation";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A community social organisation filed for registration (备案申请) at its station.
   *
   * The station is the envelope's `station_id`; the filing is pending until returned or approved.
   */
  data: {
    /**
     * 活动区域 / 服务范围
     */
    activity_area: string;
    category: "deliberation" | "culture_sports" | "volunteering" | "charity" | "life_services" | "mutual_aid" | "other";
    /**
     * 章程摘要
     */
    charter_summary: string;
    /**
     * 社区, e.g. 福利东路社区
     */
    community: string;
    /**
     * 成员人数
     */
    members: number;
    /**
     * the organisation's name, e.g. 银龄之声合唱团
     */
    name: string;
    /**
     * 负责人's name, sealed with the subject `org-contact:<organisation id>` (personal data)
     */
    responsible_person_sealed: string;
    /**
     * 负责人's phone, sealed with the subject `org-contact:<organisation id>` (personal data)
     */
    responsible_phone_sealed?: string | null;
    /**
     * 活动场所, e.g. 社区活动室
     */
    venue?: string | null;
  };
  event_id?: string;
  event_type: "OrgFiled";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * The filing was approved (备案通过) and given its filing number, unique per station and year.
 */
export interface OrgFilingApprovedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "organisation";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * The filing was approved (备案通过) and given its filing number, unique per station and year.
   */
  data: {
    category: "deliberation" | "culture_sports" | "volunteering" | "charity" | "life_services" | "mutual_aid" | "other";
    /**
     * <station id>-<year>-<4-digit sequence>
     */
    filing_number: string;
    /**
     * the name as approved
     */
    name: string;
  };
  event_id?: string;
  event_type: "OrgFilingApproved";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A returned filing came back corrected; absent fields are unchanged. Pending again.
 */
export interface OrgFilingResubmittedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "organisation";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A returned filing came back corrected; absent fields are unchanged. Pending again.
   */
  data: {
    activity_area?: string | null;
    category?:
      | ("deliberation" | "culture_sports" | "volunteering" | "charity" | "life_services" | "mutual_aid" | "other")
      | null;
    charter_summary?: string | null;
    community?: string | null;
    members?: number | null;
    name?: string | null;
    /**
     * what was corrected
     */
    note?: string | null;
    /**
     * sealed with the subject `org-contact:<organisation id>` (personal data)
     */
    responsible_person_sealed?: string | null;
    /**
     * sealed with the subject `org-contact:<organisation id>` (personal data)
     */
    responsible_phone_sealed?: string | null;
    venue?: string | null;
  };
  event_id?: string;
  event_type: "OrgFilingResubmitted";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * The station returned a pending filing for correction (退回补正), with its reasons.
 */
export interface OrgFilingReturnedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "organisation";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * The station returned a pending filing for correction (退回补正), with its reasons.
   */
  data: {
    /**
     * what to correct, one reason each
     *
     * @minItems 1
     * @maxItems 20
     */
    reasons:
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
  };
  event_id?: string;
  event_type: "OrgFilingReturned";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * The station lead's name and contact erased (PIPL): their key is destroyed with this event.
 */
export interface StationContactErasedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "station";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * The station lead's name and contact erased (PIPL): their key is destroyed with this event.
   */
  data: {
    erased_at: string;
    reason: "subject_request" | "retention_expired" | "registered_in_error";
  };
  event_id?: string;
  event_type: "StationContactErased";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A station's evaluation (e.g. 中期评估) was recorded: a score per dimension, reviewer, date, flag.
 */
export interface StationEvaluatedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "evaluation";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A station's evaluation (e.g. 中期评估) was recorded: a score per dimension, reviewer, date, flag.
   */
  data: {
    district_id: string;
    evaluated_on: string;
    /**
     * 表现优秀: held up as an example to other stations
     */
    exemplary: boolean;
    /**
     * 特色与成效
     *
     * @maxItems 20
     */
    highlights?:
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
    kind: "midterm" | "final";
    /**
     * the project year evaluated, e.g. 2024
     */
    period: string;
    /**
     * reviewing body, e.g. 城关区民政局评估组
     */
    reviewer: string;
    scores: EvaluationScores;
    summary?: string | null;
  };
  event_id?: string;
  event_type: "StationEvaluated";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A score from 0 to 100 for each dimension of the evaluation.
 */
export interface EvaluationScores {
  /**
   * 行政管理
   */
  administration: number;
  /**
   * 财务管理
   */
  finance: number;
  /**
   * 宣传与创新
   */
  publicity_innovation: number;
  /**
   * 服务开展与产出
   */
  service_delivery: number;
  /**
   * 社会评价
   */
  social_evaluation: number;
}
/**
 * A social work station (社工站) opened; other services learn station ids from this event.
 */
export interface StationOpenedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "station";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A social work station (社工站) opened; other services learn station ids from this event.
   */
  data: {
    /**
     * e.g. 兰州市
     */
    city: string;
    /**
     * contact phone, sealed
     */
    contact_sealed?: string | null;
    district_id: string;
    /**
     * e.g. 城关区
     */
    district_name: string;
    kind: "street" | "township";
    /**
     * station lead's name, sealed
     */
    lead_sealed?: string | null;
    /**
     * e.g. 城关区青白石街道社工站
     */
    name: string;
    station_id: string;
    /**
     * 街道 or 镇, e.g. 青白石街道
     */
    street: string;
  };
  event_id?: string;
  event_type: "StationOpened";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A station's name, lead or contact changed; absent fields are unchanged.
 */
export interface StationUpdatedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "station";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A station's name, lead or contact changed; absent fields are unchanged.
   */
  data: {
    contact_sealed?: string | null;
    lead_sealed?: string | null;
    name?: string | null;
  };
  event_id?: string;
  event_type: "StationUpdated";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
