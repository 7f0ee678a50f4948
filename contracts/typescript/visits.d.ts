// Generated from contracts/schemas by contracts/typescript/generate.cjs: do not edit.

export type VisitsEvent =
  | ConsentGrantedV1
  | ConsentWithdrawnV1
  | FollowUpScheduledV1
  | HouseholdErasedV1
  | HouseholdRegisteredV1
  | HouseholdUpdatedV1
  | LegalBasisRecordedV1
  | NeedClosedV1
  | NeedIdentifiedV1
  | NeedReferredV1
  | NeedResolvedV1
  | RiskTierAssignedV1
  | VisitRecordedV1
  | VisitScheduledV1;

/**
 * Consent for one purpose, by the person (member or head) or by a guardian for a child.
 */
export interface ConsentGrantedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "household";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * Consent for one purpose, by the person (member or head) or by a guardian for a child.
   */
  data: {
    given_by: "self" | "guardian";
    granted_on: string;
    guardian_relation?: ("spouse" | "child" | "grandchild" | "parent" | "grandparent" | "sibling" | "other") | null;
    /**
     * the member concerned; None: the head
     */
    member_id?: string | null;
    purpose: "referral" | "data_sharing";
  };
  event_id?: string;
  event_type: "ConsentGranted";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * Consent for one purpose withdrawn; later referrals need it again or a legal basis.
 */
export interface ConsentWithdrawnV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "household";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * Consent for one purpose withdrawn; later referrals need it again or a legal basis.
   */
  data: {
    member_id?: string | null;
    purpose: "referral" | "data_sharing";
    withdrawn_on: string;
  };
  event_id?: string;
  event_type: "ConsentWithdrawn";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A follow-up set for a date; the next visit is due by then at the latest.
 */
export interface FollowUpScheduledV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "household";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A follow-up set for a date; the next visit is due by then at the latest.
   */
  data: {
    follow_up_on: string;
    need_id?: string | null;
    next_due_at: string;
    social_worker_id: string;
  };
  event_id?: string;
  event_type: "FollowUpScheduled";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * The household's key destroyed (PIPL erasure): its sealed data is unreadable everywhere.
 */
export interface HouseholdErasedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "household";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * The household's key destroyed (PIPL erasure): its sealed data is unreadable everywhere.
   */
  data: {
    erased_at: string;
    needs_closed?: number;
    reason: "subject_request" | "retention_expired" | "registered_in_error";
  };
  event_id?: string;
  event_type: "HouseholdErased";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A household in difficulty registered at a station; the head's personal data is sealed.
 */
export interface HouseholdRegisteredV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "household";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A household in difficulty registered at a station; the head's personal data is sealed.
   */
  data: {
    address_sealed?: string | null;
    /**
     * @minItems 1
     */
    categories: [
      (
        | "minimum_living_allowance"
        | "extreme_poverty_support"
        | "temporary_assistance"
        | "left_behind_elderly"
        | "solitary_elderly"
        | "children_in_difficulty"
        | "disability"
        | "other"
      ),
      ...(
        | "minimum_living_allowance"
        | "extreme_poverty_support"
        | "temporary_assistance"
        | "left_behind_elderly"
        | "solitary_elderly"
        | "children_in_difficulty"
        | "disability"
        | "other"
      )[]
    ];
    /**
     * 社区, e.g. 大通路社区
     */
    community?: string | null;
    head_name_sealed: string;
    household_id: string;
    id_number_sealed?: string | null;
    member_count: number;
    members?: Member[];
    phone_sealed?: string | null;
    registered_at: string;
  };
  event_id?: string;
  event_type: "HouseholdRegistered";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A household member besides the head; the name is sealed, the birth year decides consent.
 */
export interface Member {
  birth_year?: number | null;
  member_id: string;
  name_sealed?: string | null;
  relation: "spouse" | "child" | "grandchild" | "parent" | "grandparent" | "sibling" | "other";
}
/**
 * Categories, members or personal data changed; absent fields are unchanged.
 */
export interface HouseholdUpdatedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "household";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * Categories, members or personal data changed; absent fields are unchanged.
   */
  data: {
    address_sealed?: string | null;
    categories?:
      | [
          (
            | "minimum_living_allowance"
            | "extreme_poverty_support"
            | "temporary_assistance"
            | "left_behind_elderly"
            | "solitary_elderly"
            | "children_in_difficulty"
            | "disability"
            | "other"
          ),
          ...(
            | "minimum_living_allowance"
            | "extreme_poverty_support"
            | "temporary_assistance"
            | "left_behind_elderly"
            | "solitary_elderly"
            | "children_in_difficulty"
            | "disability"
            | "other"
          )[]
        ]
      | null;
    community?: string | null;
    head_name_sealed?: string | null;
    id_number_sealed?: string | null;
    member_count?: number | null;
    members?: Member[] | null;
    phone_sealed?: string | null;
    updated_at: string;
  };
  event_id?: string;
  event_type: "HouseholdUpdated";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A statutory duty recorded as the lawful basis for one purpose, instead of consent.
 */
export interface LegalBasisRecordedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "household";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A statutory duty recorded as the lawful basis for one purpose, instead of consent.
   */
  data: {
    basis: "social_assistance_duty" | "minor_protection_duty" | "life_safety_emergency";
    purpose: "referral" | "data_sharing";
    recorded_on: string;
  };
  event_id?: string;
  event_type: "LegalBasisRecorded";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A need closed without being met (declined, not eligible, moved away...).
 */
export interface NeedClosedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "household";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A need closed without being met (declined, not eligible, moved away...).
   */
  data: {
    category:
      "financial" | "medical" | "care" | "housing" | "psychological" | "daily_living" | "employment" | "education";
    closed_on: string;
    need_id: string;
    reason:
      "declined" | "not_eligible" | "moved_away" | "deceased" | "duplicate" | "no_longer_needed" | "household_erased";
    severity: "low" | "medium" | "high" | "urgent";
  };
  event_id?: string;
  event_type: "NeedClosed";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A need found (需求排摸), on a visit or otherwise, with its category and severity.
 */
export interface NeedIdentifiedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "household";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A need found (需求排摸), on a visit or otherwise, with its category and severity.
   */
  data: {
    category:
      "financial" | "medical" | "care" | "housing" | "psychological" | "daily_living" | "employment" | "education";
    identified_on: string;
    /**
     * the member concerned; None: the head
     */
    member_id?: string | null;
    need_id: string;
    notes_sealed?: string | null;
    severity: "low" | "medium" | "high" | "urgent";
    visit_id?: string | null;
  };
  event_id?: string;
  event_type: "NeedIdentified";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A need referred to an agency, on the household's consent or a recorded legal basis.
 */
export interface NeedReferredV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "household";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A need referred to an agency, on the household's consent or a recorded legal basis.
   */
  data: {
    /**
     * an organisation, never a person
     */
    agency: string;
    agency_kind:
      | "civil_affairs"
      | "health"
      | "human_resources"
      | "education"
      | "disabled_persons_federation"
      | "community"
      | "social_organisation"
      | "other";
    category:
      "financial" | "medical" | "care" | "housing" | "psychological" | "daily_living" | "employment" | "education";
    lawful_basis: "consent" | "legal_basis";
    legal_basis?: ("social_assistance_duty" | "minor_protection_duty" | "life_safety_emergency") | null;
    need_id: string;
    referred_on: string;
    severity: "low" | "medium" | "high" | "urgent";
    shares_personal_data?: boolean;
  };
  event_id?: string;
  event_type: "NeedReferred";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A need met, with its outcome.
 */
export interface NeedResolvedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "household";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A need met, with its outcome.
   */
  data: {
    category:
      "financial" | "medical" | "care" | "housing" | "psychological" | "daily_living" | "employment" | "education";
    need_id: string;
    notes_sealed?: string | null;
    outcome: "assistance_granted" | "service_provided" | "referral_served" | "family_support_arranged" | "other";
    resolved_on: string;
    severity: "low" | "medium" | "high" | "urgent";
  };
  event_id?: string;
  event_type: "NeedResolved";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * The household's risk tier, which sets when the next visit is due (carried here).
 */
export interface RiskTierAssignedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "household";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * The household's risk tier, which sets when the next visit is due (carried here).
   */
  data: {
    assigned_at: string;
    /**
     * a major change: visit within 24 hours
     */
    major_change?: boolean;
    next_due_at: string;
    previous_tier?: ("high" | "key" | "general") | null;
    reason:
      | "initial_assessment"
      | "periodic_review"
      | "health_decline"
      | "hospitalised"
      | "bereavement"
      | "income_loss"
      | "living_alone"
      | "housing_risk"
      | "family_conflict"
      | "improved"
      | "other";
    tier: "high" | "key" | "general";
  };
  event_id?: string;
  event_type: "RiskTierAssigned";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * A visit made (scheduled or not): who went, how, services given, and when the next is due.
 */
export interface VisitRecordedV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "household";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A visit made (scheduled or not): who went, how, services given, and when the next is due.
   */
  data: {
    mode: "home_visit" | "phone" | "verification";
    needs_identified?: number;
    next_due_at: string;
    next_follow_up_on?: string | null;
    notes_sealed?: string | null;
    /**
     * health, safety, hygiene... (sealed JSON)
     */
    observations_sealed?: string | null;
    /**
     * how many observations were rated a risk
     */
    risks_observed?: number;
    services?: ServiceGiven[];
    /**
     * @minItems 1
     */
    social_worker_ids: [string, ...string[]];
    visit_id: string;
    visited_at: string;
    volunteer_ids?: string[];
    was_scheduled?: boolean;
  };
  event_id?: string;
  event_type: "VisitRecorded";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
/**
 * One service given on a visit; a policy briefing names the policies explained.
 */
export interface ServiceGiven {
  kind: "policy_briefing" | "counselling" | "resource_linking" | "application_help" | "relationship_coordination";
  policies?: (
    | "minimum_living_allowance"
    | "temporary_assistance"
    | "extreme_poverty_support"
    | "medical_assistance"
    | "housing_assistance"
    | "education_assistance"
    | "employment_assistance"
    | "disability_subsidy"
    | "elderly_care_subsidy"
    | "other"
  )[];
}
/**
 * A visit planned for a date by a social worker, with its purposes.
 */
export interface VisitScheduledV1 {
  actor: string;
  aggregate_id: string;
  aggregate_type: "household";
  /**
   * 0 until the event store assigns it
   */
  aggregate_version: number;
  causation_id?: string | null;
  correlation_id: string;
  /**
   * A visit planned for a date by a social worker, with its purposes.
   */
  data: {
    /**
     * @minItems 1
     */
    purposes: [
      "needs_assessment" | "policy_briefing" | "counselling" | "verification" | "resource_linking" | "follow_up",
      ...("needs_assessment" | "policy_briefing" | "counselling" | "verification" | "resource_linking" | "follow_up")[]
    ];
    scheduled_for: string;
    social_worker_id: string;
    visit_id: string;
  };
  event_id?: string;
  event_type: "VisitScheduled";
  occurred_at: string;
  recorded_at?: string;
  schema_version: 1;
  station_id: string;
}
