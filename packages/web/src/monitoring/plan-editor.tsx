import { ActionIcon, Alert, Button, Checkbox, Group, NativeSelect, Stack, Switch, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { defaultPlan, describeRule, planIssues, READING_KINDS, type MonitoringCondition, type MonitoringGoal, type MonitoringPlan, type MonitoringRule } from '@salus/core';
import { IconAlertTriangle, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { asApiError } from '../api/http.js';
import { savePlan } from './monitoring-api.js';
import {
  changeGoal,
  changeRule,
  CONDITIONS,
  newGoal,
  newRule,
  numberOrUndefined,
  placeIssues,
  planFieldKeys,
  PLAN_KINDS,
  RULE_TYPES,
  SEVERITIES,
} from './plan-form.js';
import { Section } from '../layout/section.js';

/**
 * The patient's monitoring plan: the conditions monitored, the rules that raise alerts
 * (thresholds, trends, missing data), the goals shown to the patient, and SpO2 scale 2. The
 * conditions' defaults fill the tables in one click; every value stays editable. The plan is
 * checked here with core's `planIssues` before it is sent, and the server's own objection comes
 * back under the field it names.
 */

type Issue = { field: string; message: string };

const KIND_OPTIONS = PLAN_KINDS.map((k) => ({ value: k, label: READING_KINDS[k].text }));
const COMPONENTS = [
  { value: 'systolic', label: 'Systolic' },
  { value: 'diastolic', label: 'Diastolic' },
];

/**
 * A number typed as text (the house way: a decimal keyboard on phones, no spinner), kept as the
 * person typed it ("37." on the way to "37.5") and handed up as a number or nothing.
 */
function NumberField({ label, value, error, onChange }: { label: string; value: number | undefined; error?: string | undefined; onChange: (v: number | undefined) => void }) {
  const [text, setText] = useState(value === undefined ? '' : String(value));
  const [shown, setShown] = useState(value);
  // Replaced from outside (the defaults filled in): show the new value.
  if (value !== shown) {
    setShown(value);
    setText(value === undefined ? '' : String(value));
  }
  const invalid = text.trim() !== '' && numberOrUndefined(text.trim().replace(',', '.')) === undefined;
  return (
    <TextInput
      aria-label={label}
      inputMode="decimal"
      size="xs"
      w={84}
      value={text}
      error={invalid ? 'Enter a number' : error}
      onChange={(e) => {
        const t = e.currentTarget.value;
        const n = t.trim() === '' ? undefined : numberOrUndefined(t.trim().replace(',', '.'));
        setText(t);
        setShown(n);
        onChange(n);
      }}
    />
  );
}

function safeDescription(rule: MonitoringRule): string {
  try {
    return describeRule(rule);
  } catch {
    return '';
  }
}

function RuleRow({ rule, index, err, onChange, onRemove }: { rule: MonitoringRule; index: number; err: (key: string) => string | undefined; onChange: (r: MonitoringRule) => void; onRemove: () => void }) {
  const n = index + 1;
  const key = (f: string) => `rules[${index}].${f}`;
  const set = (field: string, value: string | number | undefined) => onChange(changeRule(rule, field, value));
  const num = (field: 'below' | 'above' | 'rise' | 'fall' | 'withinHours' | 'hours', label: string) => (
    <NumberField label={`Rule ${n}: ${label}`} value={(rule as unknown as Record<string, number | undefined>)[field]} error={err(key(field))} onChange={(v) => set(field, v)} />
  );
  const rowError = err(`rules[${index}]`);
  return (
    <Table.Tr>
      <Table.Td>
        <NativeSelect size="xs" aria-label={`Rule ${n}: type`} data={RULE_TYPES.map((t) => ({ ...t }))} value={rule.type} error={err(key('type'))} onChange={(e) => set('type', e.currentTarget.value)} />
      </Table.Td>
      <Table.Td>
        <Stack gap={4}>
          <NativeSelect
            size="xs"
            aria-label={`Rule ${n}: reading`}
            data={rule.type === 'missing' ? [{ value: '', label: 'Any reading' }, ...KIND_OPTIONS] : KIND_OPTIONS}
            value={rule.kind ?? ''}
            error={err(key('kind'))}
            onChange={(e) => set('kind', e.currentTarget.value)}
          />
          {rule.type === 'threshold' && rule.kind === 'blood-pressure' && (
            <NativeSelect size="xs" aria-label={`Rule ${n}: pressure`} data={COMPONENTS} value={rule.component ?? 'systolic'} error={err(key('component'))} onChange={(e) => set('component', e.currentTarget.value)} />
          )}
        </Stack>
      </Table.Td>
      <Table.Td>
        <Group gap={6} wrap="wrap" align="flex-start">
          {rule.type === 'threshold' && (
            <>
              <Stack gap={0}>
                <Text size="xs">Below</Text>
                {num('below', 'below')}
              </Stack>
              <Stack gap={0}>
                <Text size="xs">Above</Text>
                {num('above', 'above')}
              </Stack>
            </>
          )}
          {rule.type === 'trend' && (
            <>
              <Stack gap={0}>
                <Text size="xs">Rise by</Text>
                {num('rise', 'rise by')}
              </Stack>
              <Stack gap={0}>
                <Text size="xs">Fall by</Text>
                {num('fall', 'fall by')}
              </Stack>
              <Stack gap={0}>
                <Text size="xs">Within (h)</Text>
                {num('withinHours', 'within hours')}
              </Stack>
            </>
          )}
          {rule.type === 'missing' && (
            <Stack gap={0}>
              <Text size="xs">No reading for (h)</Text>
              {num('hours', 'hours without a reading')}
            </Stack>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <NativeSelect size="xs" aria-label={`Rule ${n}: severity`} data={SEVERITIES.map((s) => ({ ...s }))} value={rule.severity} error={err(key('severity'))} onChange={(e) => set('severity', e.currentTarget.value)} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{safeDescription(rule)}</Text>
        {rowError && (
          <Text size="xs" c="red.8" role="alert">
            {rowError}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <ActionIcon variant="subtle" color="red" onClick={onRemove} aria-label={`Remove rule ${n}`}>
          <IconTrash size={16} aria-hidden />
        </ActionIcon>
      </Table.Td>
    </Table.Tr>
  );
}

function GoalRow({ goal, index, err, onChange, onRemove }: { goal: MonitoringGoal; index: number; err: (key: string) => string | undefined; onChange: (g: MonitoringGoal) => void; onRemove: () => void }) {
  const n = index + 1;
  const key = (f: string) => `goals[${index}].${f}`;
  const set = (field: string, value: string | number | undefined) => onChange(changeGoal(goal, field, value));
  const rowError = err(`goals[${index}]`);
  return (
    <Table.Tr>
      <Table.Td>
        <Stack gap={4}>
          <NativeSelect size="xs" aria-label={`Goal ${n}: reading`} data={KIND_OPTIONS} value={goal.kind} error={err(key('kind'))} onChange={(e) => set('kind', e.currentTarget.value)} />
          {goal.kind === 'blood-pressure' && (
            <NativeSelect size="xs" aria-label={`Goal ${n}: pressure`} data={COMPONENTS} value={goal.component ?? 'systolic'} error={err(key('component'))} onChange={(e) => set('component', e.currentTarget.value)} />
          )}
        </Stack>
      </Table.Td>
      <Table.Td>
        <NumberField label={`Goal ${n}: low`} value={goal.low} error={err(key('low'))} onChange={(v) => set('low', v)} />
      </Table.Td>
      <Table.Td>
        <NumberField label={`Goal ${n}: high`} value={goal.high} error={err(key('high'))} onChange={(v) => set('high', v)} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{READING_KINDS[goal.kind].unitText}</Text>
        {rowError && (
          <Text size="xs" c="red.8" role="alert">
            {rowError}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <ActionIcon variant="subtle" color="red" onClick={onRemove} aria-label={`Remove goal ${n}`}>
          <IconTrash size={16} aria-hidden />
        </ActionIcon>
      </Table.Td>
    </Table.Tr>
  );
}

export function PlanEditor({ patientId, plan, onSaved }: { patientId: string; plan: MonitoringPlan; onSaved: (plan: MonitoringPlan) => void }) {
  const [draft, setDraft] = useState<MonitoringPlan>(plan);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [saving, setSaving] = useState(false);
  const placed = useMemo(() => placeIssues(issues, planFieldKeys(draft)), [issues, draft]);
  const err = (key: string) => placed.at.get(key);

  const edit = (next: MonitoringPlan) => {
    setDraft(next);
    setIssues([]);
  };
  const setRule = (i: number, rule: MonitoringRule) => edit({ ...draft, rules: draft.rules.map((r, j) => (j === i ? rule : r)) });
  const setGoal = (i: number, goal: MonitoringGoal) => edit({ ...draft, goals: draft.goals.map((g, j) => (j === i ? goal : g)) });

  async function save() {
    const found = planIssues(draft);
    if (found.length > 0) {
      setIssues(found);
      return;
    }
    setSaving(true);
    try {
      const saved = await savePlan(patientId, draft);
      setDraft(saved);
      setIssues([]);
      notifications.show({ color: 'salus', title: 'Plan saved', message: 'The new rules apply to the next reading.' });
      onSaved(saved);
    } catch (e) {
      const api = asApiError(e);
      setIssues([{ field: api.field ?? '', message: api.message }]);
    } finally {
      setSaving(false);
    }
  }

  return (
    <Stack gap="lg">
      <Section order={3} size="h5" gap={6} title="Conditions">
        <Checkbox.Group
          label="Conditions monitored"
          value={draft.conditions}
          onChange={(v) => edit({ ...draft, conditions: CONDITIONS.map((c) => c.value).filter((c) => v.includes(c)) as MonitoringCondition[] })}
          error={err('conditions')}
        >
          <Group gap="md" mt={4}>
            {CONDITIONS.map((c) => (
              <Checkbox key={c.value} value={c.value} label={c.label} />
            ))}
          </Group>
        </Checkbox.Group>
        <Button mt="sm" variant="light" size="xs" disabled={draft.conditions.length === 0} onClick={() => edit(defaultPlan(draft.conditions))}>
          Use defaults for these conditions
        </Button>
        <Text size="xs" c="dimmed" mt={4}>
          Replaces the rules, the goals and the SpO₂ scale below with the defaults for the conditions ticked.
        </Text>
      </Section>

      <Section order={3} size="h5" gap={6} title="Oxygen saturation scale">
        <Switch
          label="Use SpO₂ scale 2"
          description="For hypercapnic respiratory failure with a prescribed target of 88–92 %."
          checked={draft.spo2Scale2}
          onChange={(e) => edit({ ...draft, spo2Scale2: e.currentTarget.checked })}
          error={err('spo2Scale2')}
        />
        {draft.spo2Scale2 && (
          <Alert mt="sm" color="orange" variant="light" icon={<IconAlertTriangle aria-hidden />} title="Only for a prescribed 88–92 % target">
            Scale 2 scores saturations of 88–92 % as normal. Use it only when a clinician has prescribed that target, usually for hypercapnic respiratory failure; for anyone else it
            hides dangerously low oxygen levels.
          </Alert>
        )}
      </Section>

      <Section order={3} size="h5" gap={6} title="Alert rules">
        {err('rules') && (
          <Text size="sm" c="red.8" role="alert" mb={4}>
            {err('rules')}
          </Text>
        )}
        {draft.rules.length === 0 ? (
          <Text size="sm" c="dimmed">
            No rules: no alerts are raised for this patient’s readings.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={820}>
            <Table aria-label="Alert rules" verticalSpacing={6}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Type</Table.Th>
                  <Table.Th scope="col">Reading</Table.Th>
                  <Table.Th scope="col">When</Table.Th>
                  <Table.Th scope="col">Severity</Table.Th>
                  <Table.Th scope="col">Reads as</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>Remove</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {draft.rules.map((r, i) => (
                  <RuleRow key={i} rule={r} index={i} err={err} onChange={(next) => setRule(i, next)} onRemove={() => edit({ ...draft, rules: draft.rules.filter((_, j) => j !== i) })} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Button mt="xs" size="xs" variant="default" leftSection={<IconPlus size={14} aria-hidden />} onClick={() => edit({ ...draft, rules: [...draft.rules, newRule('threshold')] })}>
          Add a rule
        </Button>
      </Section>

      <Section order={3} size="h5" gap={6} title="Goals">
        {err('goals') && (
          <Text size="sm" c="red.8" role="alert" mb={4}>
            {err('goals')}
          </Text>
        )}
        {draft.goals.length === 0 ? (
          <Text size="sm" c="dimmed">
            No goals set.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={520}>
            <Table aria-label="Goals" verticalSpacing={6}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Reading</Table.Th>
                  <Table.Th scope="col">Low</Table.Th>
                  <Table.Th scope="col">High</Table.Th>
                  <Table.Th scope="col">Unit</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>Remove</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {draft.goals.map((g, i) => (
                  <GoalRow key={i} goal={g} index={i} err={err} onChange={(next) => setGoal(i, next)} onRemove={() => edit({ ...draft, goals: draft.goals.filter((_, j) => j !== i) })} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Button mt="xs" size="xs" variant="default" leftSection={<IconPlus size={14} aria-hidden />} onClick={() => edit({ ...draft, goals: [...draft.goals, newGoal()] })}>
          Add a goal
        </Button>
      </Section>

      {placed.other.length > 0 && (
        <Alert color="red" variant="light" role="alert" title="The plan was not saved">
          {placed.other.map((m) => (
            <Text key={m} size="sm">
              {m}
            </Text>
          ))}
        </Alert>
      )}
      <Group>
        <Button loading={saving} onClick={() => void save()}>
          Save plan
        </Button>
        {draft !== plan && (
          <Button variant="default" disabled={saving} onClick={() => edit(plan)}>
            Undo changes
          </Button>
        )}
      </Group>
    </Stack>
  );
}
