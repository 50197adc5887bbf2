import yaml from 'yaml';

/**
 * One example of an action for the scaffolder's installed-actions page: the steps of a template as
 * YAML, so that the example reads as it is written in a template.
 */
export function actionExample(
  description: string,
  steps: Array<{
    id: string;
    name: string;
    action: string;
    input: Record<string, unknown>;
    if?: string;
  }>,
): { description: string; example: string } {
  return { description, example: yaml.stringify({ steps }) };
}
