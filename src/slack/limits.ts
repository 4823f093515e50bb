/**
 * Slack's Block Kit limits, in one place (from Slack's reference; see /work/shared/slack-facts.md).
 * Slack refuses a message that breaks one (`invalid_blocks`), so views size their caps from these
 * rather than from numbers of their own. Lengths are in characters; views measure UTF-16 units,
 * which never undercount. The tests check messages against their own copy of the table
 * (test/helpers/block-kit-limits.ts), so a wrong number here cannot pass unnoticed.
 */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  /** `text` of a section block; a section holds at most 10 `fields` of 2000 each. */
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  /** `plain_text` of a header block. */
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  /** A button's label (Slack shows about 30 before cutting it visually), its `value` and `url`. */
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  /** `action_id` and `block_id`. */
  id: 255,
  /**
   * Block text of a whole message: undocumented, Slack answers `msg_blocks_too_long` at ≈ 13k. Views
   * keep under this budget, which leaves a margin.
   */
  totalBlockText: 12_000,
} as const;
