import { z } from 'zod';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';

/** What the UI shows of a failed call: the backend's message, code, remediation and input problems. */
export interface ApiErrorView {
  message: string;
  code?: string;
  remediation?: string;
  problems: ApiModel.Problem[];
}

// The vmware2scw error body (openapi.yaml ErrorResponse.error), as @backstage/errors' ResponseError parses it.
const errorBody = z.object({
  body: z.object({
    error: z
      .object({
        message: z.string(),
        code: z.string().optional(),
        remediation: z.string().optional(),
        problems: z
          .array(z.object({ code: z.string() }).passthrough())
          .optional(),
      })
      .passthrough(),
  }),
});

export function describeApiError(error: unknown): ApiErrorView {
  const parsed = errorBody.safeParse(error);
  if (parsed.success) {
    const e = parsed.data.body.error;
    return {
      message: e.message,
      code: e.code,
      remediation: e.remediation,
      problems: (e.problems ?? []) as ApiModel.Problem[],
    };
  }
  return {
    message: error instanceof Error ? error.message : String(error),
    problems: [],
  };
}
