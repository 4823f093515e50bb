/**
 * An offline stand-in for Slack's `blocks.validate`: every limit from /work/shared/slack-facts.md,
 * checked on a message as it would be posted. Lengths are UTF-16 code units, which is never less
 * than Slack's character count, so a pass here is a pass there.
 */

export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  id: 255,
  imageAltText: 2000,
  /** Slack's undocumented `msg_blocks_too_long` bites at ≈ 13k; keep a margin. */
  totalBlockText: 12_000,
} as const;

type Json = Record<string, unknown>;

interface Checker {
  errors: string[];
  totalText: number;
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function tooLong(c: Checker, path: string, value: unknown, max: number): void {
  if (typeof value !== 'string') c.errors.push(`${path}: expected a string, got ${typeof value}`);
  else if (value.length > max) c.errors.push(`${path}: ${value.length} > ${max}`);
}

function checkText(c: Checker, path: string, value: unknown, max: number, only?: 'plain_text'): void {
  if (!isObject(value)) {
    c.errors.push(`${path}: expected a text object`);
    return;
  }
  const type = value.type;
  if (type !== 'plain_text' && type !== 'mrkdwn') {
    c.errors.push(`${path}.type: invalid text type ${JSON.stringify(type)}`);
    return;
  }
  if (only && type !== only) c.errors.push(`${path}.type: must be ${only}, got ${type}`);
  if (type === 'mrkdwn' && 'emoji' in value) c.errors.push(`${path}.emoji: only allowed on plain_text`);
  if (type === 'plain_text' && 'verbatim' in value) c.errors.push(`${path}.verbatim: only allowed on mrkdwn`);
  const text = value.text;
  if (typeof text !== 'string') {
    c.errors.push(`${path}.text: expected a string`);
    return;
  }
  if (text.length === 0) c.errors.push(`${path}.text: must not be empty`);
  if (text.length > max) c.errors.push(`${path}.text: ${text.length} > ${max}`);
  c.totalText += text.length;
}

function checkElement(c: Checker, path: string, element: unknown): void {
  if (!isObject(element)) {
    c.errors.push(`${path}: expected an element object`);
    return;
  }
  if ('action_id' in element) tooLong(c, `${path}.action_id`, element.action_id, LIMITS.id);
  if (element.type === 'button') {
    checkText(c, `${path}.text`, element.text, LIMITS.buttonText, 'plain_text');
    if ('value' in element) tooLong(c, `${path}.value`, element.value, LIMITS.buttonValue);
    if ('url' in element) tooLong(c, `${path}.url`, element.url, LIMITS.url);
    if ('style' in element && element.style !== 'primary' && element.style !== 'danger') {
      c.errors.push(`${path}.style: must be primary or danger`);
    }
  } else if (element.type === 'image') {
    tooLong(c, `${path}.image_url`, element.image_url, LIMITS.url);
    tooLong(c, `${path}.alt_text`, element.alt_text, LIMITS.imageAltText);
  } else if (typeof element.type !== 'string') {
    c.errors.push(`${path}.type: missing`);
  }
}

function checkBlock(c: Checker, path: string, block: unknown, blockIds: Set<string>): void {
  if (!isObject(block)) {
    c.errors.push(`${path}: expected a block object`);
    return;
  }
  if ('block_id' in block) {
    tooLong(c, `${path}.block_id`, block.block_id, LIMITS.id);
    if (typeof block.block_id === 'string') {
      if (blockIds.has(block.block_id)) c.errors.push(`${path}.block_id: duplicate ${JSON.stringify(block.block_id)}`);
      blockIds.add(block.block_id);
    }
  }
  switch (block.type) {
    case 'section': {
      if (block.text === undefined && block.fields === undefined) c.errors.push(`${path}: a section needs text or fields`);
      if (block.text !== undefined) checkText(c, `${path}.text`, block.text, LIMITS.sectionText);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields)) c.errors.push(`${path}.fields: expected an array`);
        else {
          if (block.fields.length === 0) c.errors.push(`${path}.fields: must not be empty`);
          if (block.fields.length > LIMITS.sectionFields) {
            c.errors.push(`${path}.fields: ${block.fields.length} > ${LIMITS.sectionFields}`);
          }
          block.fields.forEach((field, i) => checkText(c, `${path}.fields[${i}]`, field, LIMITS.sectionFieldText));
        }
      }
      if (block.accessory !== undefined) checkElement(c, `${path}.accessory`, block.accessory);
      break;
    }
    case 'header':
      checkText(c, `${path}.text`, block.text, LIMITS.headerText, 'plain_text');
      break;
    case 'context': {
      const elements = block.elements;
      if (!Array.isArray(elements) || elements.length === 0) {
        c.errors.push(`${path}.elements: needs 1 to ${LIMITS.contextElements} elements`);
        break;
      }
      if (elements.length > LIMITS.contextElements) c.errors.push(`${path}.elements: ${elements.length} > ${LIMITS.contextElements}`);
      elements.forEach((element, i) => {
        const at = `${path}.elements[${i}]`;
        if (isObject(element) && element.type === 'image') checkElement(c, at, element);
        else checkText(c, at, element, LIMITS.contextText);
      });
      break;
    }
    case 'actions': {
      const elements = block.elements;
      if (!Array.isArray(elements) || elements.length === 0) {
        c.errors.push(`${path}.elements: needs 1 to ${LIMITS.actionsElements} elements`);
        break;
      }
      if (elements.length > LIMITS.actionsElements) c.errors.push(`${path}.elements: ${elements.length} > ${LIMITS.actionsElements}`);
      const actionIds = new Set<string>();
      elements.forEach((element, i) => {
        checkElement(c, `${path}.elements[${i}]`, element);
        const id = isObject(element) ? element.action_id : undefined;
        if (typeof id === 'string') {
          if (actionIds.has(id)) c.errors.push(`${path}.elements[${i}].action_id: duplicate ${JSON.stringify(id)} in this block`);
          actionIds.add(id);
        }
      });
      break;
    }
    case 'divider':
      break;
    case 'image':
      tooLong(c, `${path}.image_url`, block.image_url, LIMITS.url);
      tooLong(c, `${path}.alt_text`, block.alt_text, LIMITS.imageAltText);
      if (block.title !== undefined) checkText(c, `${path}.title`, block.title, LIMITS.imageAltText, 'plain_text');
      break;
    default:
      c.errors.push(`${path}.type: ${JSON.stringify(block.type)} is not a block type these views use`);
  }
}

/** Sum of every text object's `text` in the blocks: what the ≈ 13k message cap counts. */
export function blockTextLength(message: { blocks?: unknown[] }): number {
  const c: Checker = { errors: [], totalText: 0 };
  (message.blocks ?? []).forEach((block, i) => checkBlock(c, `blocks[${i}]`, block, new Set()));
  return c.totalText;
}

/** Throws one Error listing every violation, each with its path: `blocks[3].accessory.value: 2101 > 2000`. */
export function assertWithinSlackLimits(message: { text?: string; blocks?: unknown[] }): void {
  const c: Checker = { errors: [], totalText: 0 };
  if (typeof message.text !== 'string' || message.text.trim() === '') {
    c.errors.push('text: the top-level fallback text must be set and non-empty');
  }
  const blocks = message.blocks;
  if (blocks !== undefined) {
    if (!Array.isArray(blocks)) c.errors.push('blocks: expected an array');
    else {
      if (blocks.length > LIMITS.blocksPerMessage) c.errors.push(`blocks: ${blocks.length} > ${LIMITS.blocksPerMessage}`);
      const blockIds = new Set<string>();
      blocks.forEach((block, i) => checkBlock(c, `blocks[${i}]`, block, blockIds));
      if (c.totalText > LIMITS.totalBlockText) c.errors.push(`blocks (total text): ${c.totalText} > ${LIMITS.totalBlockText}`);
    }
  }
  if (c.errors.length > 0) throw new Error(`Slack Block Kit limits violated:\n${c.errors.join('\n')}`);
}

/** A Home tab or modal holds up to 100 blocks (a message 50). */
export const VIEW_MAX_BLOCKS = 100;
/** A modal's `title`, `close` and `submit` texts. */
const MODAL_TITLE_MAX = 24;

/**
 * The same checks for a view (`views.publish` / `views.open`): its type, up to 100 blocks, each
 * block as in a message. Views have no fallback `text` and no message-size cap of their own.
 */
export function assertViewWithinLimits(view: unknown, type: 'home' | 'modal'): void {
  const c: Checker = { errors: [], totalText: 0 };
  if (!isObject(view)) throw new Error('Slack view limits violated:\nview: expected an object');
  if (view.type !== type) c.errors.push(`view.type: expected ${type}, got ${JSON.stringify(view.type)}`);
  const blocks = view.blocks;
  if (!Array.isArray(blocks)) c.errors.push('view.blocks: expected an array');
  else {
    if (blocks.length > VIEW_MAX_BLOCKS) c.errors.push(`view.blocks: ${blocks.length} > ${VIEW_MAX_BLOCKS}`);
    const blockIds = new Set<string>();
    blocks.forEach((block, i) => checkBlock(c, `view.blocks[${i}]`, block, blockIds));
  }
  if (type === 'modal') {
    checkText(c, 'view.title', view.title, MODAL_TITLE_MAX, 'plain_text');
    if (view.close !== undefined) checkText(c, 'view.close', view.close, MODAL_TITLE_MAX, 'plain_text');
  }
  if (c.errors.length > 0) throw new Error(`Slack view limits violated:\n${c.errors.join('\n')}`);
}
