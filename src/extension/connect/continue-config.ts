/**
 * Continue's `~/.continue/config.yaml`: one entry per CLI2API model in `models`, merged into
 * the user's file with the `yaml` library's document model, so comments, other models and
 * every other key stay as they were. Our entries are the ones named `CLI2API <model>`; their
 * fields are updated in place (keys the user added to them stay too). Pure.
 */
import YAML from 'yaml';
import { ConfigMergeError } from './config-error';

export interface ContinueModel {
  name: string;
  model: string;
  apiBase: string;
  apiKey: string;
  contextLength: number;
}

export function continueEntryName(model: string): string {
  return `CLI2API ${model}`;
}

export function mergeContinueConfig(existing: string | undefined, models: ContinueModel[]): string {
  const doc =
    existing && existing.trim()
      ? YAML.parseDocument(existing)
      : new YAML.Document({ name: 'Local Config', version: '1.0.0', schema: 'v1', models: [] });
  if (doc.errors.length > 0)
    throw new ConfigMergeError(`it is not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`);
  if (!YAML.isMap(doc.contents)) throw new ConfigMergeError('it is not a YAML mapping (key: value) at the top');
  let seq = doc.get('models', true);
  if (seq === undefined || seq === null || (YAML.isScalar(seq) && seq.value === null)) {
    doc.set('models', doc.createNode([]));
    seq = doc.get('models', true);
  }
  if (!YAML.isSeq(seq)) throw new ConfigMergeError('its `models` is not a list');
  for (const m of models) {
    const fields = {
      name: m.name,
      provider: 'openai',
      model: m.model,
      apiBase: m.apiBase,
      apiKey: m.apiKey,
      capabilities: ['tool_use', 'image_input'],
      defaultCompletionOptions: { contextLength: m.contextLength },
    };
    const item = seq.items.find((i) => YAML.isMap(i) && i.get('name') === m.name);
    if (YAML.isMap(item)) {
      for (const [key, value] of Object.entries(fields)) {
        if (key === 'defaultCompletionOptions' && YAML.isMap(item.get(key, true)))
          item.setIn([key, 'contextLength'], m.contextLength);
        else item.set(key, doc.createNode(value, { flow: key === 'capabilities' }));
      }
    } else {
      const node = doc.createNode(fields);
      const caps = node.get('capabilities', true);
      if (YAML.isSeq(caps)) caps.flow = true;
      seq.items.push(node);
    }
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
