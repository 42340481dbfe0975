// The alert object: `{alert_on, actions: [{command|webhook|slack|email}]}`, or the flat `{alert_on, command, webhook, slack, email}`.

import type { AlertAction, AlertDef, AlertOn } from '../task.js';
import { isRecord, report, reportText, reportType, type Path, type Scope } from './scope.js';
import { httpUrl, quotedList } from './text-rules.js';
import { reportUnknownKey } from './unknown.js';

const ALERT_ON = ['failure', 'success', 'always', 'change', 'output'] as const;
const ACTION_KEYS = ['command', 'webhook', 'slack', 'email'] as const;
type ActionKey = (typeof ACTION_KEYS)[number];

export const ALERT_EXPECTED =
  'an object such as {"alert_on": "failure", "command": "mail -s failed ops"} or {"alert_on": "always", "actions": [{"webhook": "https://…"}]}';
const ALERT_ON_EXPECTED = `one of ${quotedList(ALERT_ON)} (default "failure")`;
const ACTION_EXPECTED = 'an object with exactly one of "command", "webhook", "slack" or "email"';
/** A mail address as an SMTP server takes it in RCPT TO: local@domain, no spaces or angle brackets. */
const EMAIL_RE = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.?[^\s@<>(),;:"]*$/;
const EMAIL_EXPECTED = 'a mail address such as "ops@example.com", or a non-empty list of them';
const ACTION_VALUE_EXPECTED: Record<ActionKey, string> = {
  command: 'a non-empty command line, run with bash -c',
  webhook: 'an http:// or https:// URL',
  slack: 'a Slack incoming-webhook URL (https://hooks.slack.com/…)',
  email: EMAIL_EXPECTED,
};

/** Returns the normalised alert, or undefined after reporting what is wrong. */
export function readAlert(s: Scope, value: unknown, path: Path): AlertDef | undefined {
  if (!isRecord(value)) {
    reportType(s, path, value, ALERT_EXPECTED);
    return undefined;
  }
  const before = s.issues.length;
  const keys = ['alert_on', 'actions', ...ACTION_KEYS];
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) reportUnknownKey(s, [...path, key], key, { what: 'alert fields', keys });
  }
  const alertOn = readAlertOn(s, value, path);
  const flat = ACTION_KEYS.filter((k) => Object.hasOwn(value, k));
  let actions: AlertAction[] = [];
  if (Object.hasOwn(value, 'actions')) {
    if (flat.length > 0) {
      report(s, [...path, flat[0]!], {
        expected: 'either "actions" or "command"/"webhook"/"slack"/"email"',
        message: `"${flat[0]}" cannot be combined with "actions"; put every action in "actions"`,
      });
    }
    actions = readActionList(s, value.actions, [...path, 'actions']);
  } else {
    for (const key of flat) {
      const action = readActionValue(s, key, value[key], [...path, key]);
      if (action) actions.push(action);
    }
    if (flat.length === 0) {
      report(s, path, { expected: ACTION_EXPECTED, message: `"alert" has no action; expected "command", "webhook", "slack" or "email"` });
    }
  }
  return s.issues.length === before ? { alert_on: alertOn, actions } : undefined;
}

function readAlertOn(s: Scope, alert: Record<string, unknown>, path: Path): AlertOn {
  if (!Object.hasOwn(alert, 'alert_on')) return 'failure';
  const v = alert.alert_on;
  if (typeof v === 'string' && (ALERT_ON as readonly string[]).includes(v)) return v as AlertOn;
  if (typeof v === 'string') reportText(s, [...path, 'alert_on'], v, ALERT_ON_EXPECTED);
  else reportType(s, [...path, 'alert_on'], v, ALERT_ON_EXPECTED);
  return 'failure';
}

function readActionList(s: Scope, list: unknown, path: Path): AlertAction[] {
  if (!Array.isArray(list) || list.length === 0) {
    reportType(s, path, list, `a non-empty array of actions, each ${ACTION_EXPECTED}`);
    return [];
  }
  const actions: AlertAction[] = [];
  list.forEach((item: unknown, i) => {
    const here = [...path, i];
    const keys = isRecord(item) ? Object.keys(item) : [];
    if (!isRecord(item) || keys.length !== 1) {
      reportType(s, here, item, ACTION_EXPECTED);
      return;
    }
    const key = keys[0]!;
    if (!(ACTION_KEYS as readonly string[]).includes(key)) {
      reportUnknownKey(s, [...here, key], key, { what: 'alert actions', keys: ACTION_KEYS });
      return;
    }
    const action = readActionValue(s, key as ActionKey, item[key], [...here, key]);
    if (action) actions.push(action);
  });
  return actions;
}

function readActionValue(s: Scope, key: ActionKey, v: unknown, path: Path): AlertAction | undefined {
  if (key === 'email') return readEmail(s, v, path);
  const expected = ACTION_VALUE_EXPECTED[key];
  if (typeof v !== 'string') {
    reportType(s, path, v, expected);
    return undefined;
  }
  const ok = key === 'command' ? v.trim() !== '' : httpUrl(v).ok;
  if (!ok) {
    reportText(s, path, v, expected, key === 'command' ? 'is empty' : undefined);
    return undefined;
  }
  return { [key]: v };
}

/** `"ops@example.com"` or `["ops@example.com", "dev@example.com"]`, normalised to a list. */
function readEmail(s: Scope, v: unknown, path: Path): AlertAction | undefined {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0) {
    reportType(s, path, v, EMAIL_EXPECTED);
    return undefined;
  }
  const before = s.issues.length;
  list.forEach((item: unknown, i) => {
    const here = typeof v === 'string' ? path : [...path, i];
    if (typeof item !== 'string') reportType(s, here, item, EMAIL_EXPECTED);
    else if (!EMAIL_RE.test(item)) reportText(s, here, item, EMAIL_EXPECTED);
  });
  return s.issues.length === before ? { email: [...new Set(list as string[])] } : undefined;
}
