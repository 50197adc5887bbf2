import { useMemo } from 'react';
import CodeMirror from '@uiw/react-codemirror';
import { StreamLanguage } from '@codemirror/language';
import { yaml } from '@codemirror/legacy-modes/mode/yaml';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import type { EditorView } from '@codemirror/view';

type Doc = EditorView['state']['doc'];
import type { ApiModel } from '@internal/plugin-vmware2scw-common';

const yamlLanguage = StreamLanguage.define(yaml);

/**
 * Where a problem is in the document: from its line and column (1-based, as the plan parser reports them)
 * to the end of that line; problems without a line are not placed (the list below the editor has them).
 */
export function problemDiagnostics(
  doc: Doc,
  problems: ApiModel.Problem[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const p of problems) {
    if (p.line === undefined || p.line < 1 || p.line > doc.lines) continue;
    const line = doc.line(p.line);
    const from = Math.min(
      line.from + Math.max(0, (p.column ?? 1) - 1),
      line.to,
    );
    out.push({
      from,
      to: Math.max(from, line.to),
      severity: p.severity,
      source: p.code,
      message: `${p.message} Remediation: ${p.remediation}`,
    });
  }
  return out;
}

/** A plan's YAML in an editor, each problem marked at its line (gutter marker, underline, message). */
export function PlanYamlEditor(props: {
  value: string;
  onChange?: (value: string) => void;
  problems: ApiModel.Problem[];
  readOnly?: boolean;
  label?: string;
}) {
  const { problems } = props;
  const extensions = useMemo(
    () => [
      yamlLanguage,
      lintGutter(),
      linter(view => problemDiagnostics(view.state.doc, problems), {
        delay: 0,
      }),
    ],
    [problems],
  );
  return (
    <div aria-label={props.label ?? 'Plan YAML'} role="group">
      <CodeMirror
        value={props.value}
        onChange={props.onChange}
        extensions={extensions}
        readOnly={props.readOnly}
        editable={!props.readOnly}
        height="360px"
        basicSetup={{ lineNumbers: true, foldGutter: false }}
      />
    </div>
  );
}
