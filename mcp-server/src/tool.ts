/**
 * One admin tool: its zod input and output schemas and a `run` that maps the input to an HTTP call.
 * `registerTool` turns the outcome into an MCP result: `structuredContent` plus the same JSON as text on
 * success; on an expected failure an `isError` result whose text is the server's
 * `{error, error_description}` (and the HTTP status). Nothing is thrown out of a tool.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { type ApiFailure, type ApiResult, failure } from './api/response.js';
import type { ServerApi } from './api/server-api.js';

/** What a tool's `run` resolves to: the server's answer, or already-shaped structured content. */
export type ToolOutcome = ApiResult | { ok: true; structured: Record<string, unknown>; text?: string };

export interface ToolDefinition<
  In extends z.ZodRawShape = z.ZodRawShape,
  Out extends z.ZodObject = z.ZodObject,
> {
  name: string;
  title: string;
  description: string;
  inputSchema: In;
  outputSchema: Out;
  annotations?: ToolAnnotations;
  run(input: z.infer<z.ZodObject<In>>, api: ServerApi): Promise<ToolOutcome>;
}

/** Declares a tool with its input type inferred from the schema. */
export function defineTool<In extends z.ZodRawShape, Out extends z.ZodObject>(
  definition: ToolDefinition<In, Out>,
): ToolDefinition<In, Out> {
  return definition;
}

/** The isError result for a failure: the server's error fields as JSON text. */
export function errorResult(outcome: ApiFailure): CallToolResult {
  const { ok: _ok, ...fields } = outcome;
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(fields, null, 2) }] };
}

function successResult(structured: Record<string, unknown>, text?: string): CallToolResult {
  return {
    structuredContent: structured,
    content: [{ type: 'text', text: text ?? JSON.stringify(structured, null, 2) }],
  };
}

/** Runs a tool and shapes its MCP result; never throws. */
export async function executeTool(
  tool: ToolDefinition,
  input: Record<string, unknown>,
  api: ServerApi,
): Promise<CallToolResult> {
  try {
    const outcome = await tool.run(input, api);
    if (!outcome.ok) return errorResult(outcome);
    if ('structured' in outcome) return successResult(outcome.structured, outcome.text);
    const body = outcome.body;
    const parsed = tool.outputSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'body';
      return errorResult(
        failure(
          'unexpected_response',
          `${tool.name}: the server's answer does not match the tool's output schema (${where}: ${issue?.message})`,
          outcome.status,
          outcome.body,
        ),
      );
    }
    // The server's own fields, unchanged (the schemas are loose): what the agent sees is what was sent.
    return successResult(body as Record<string, unknown>);
  } catch (error) {
    return errorResult(
      failure('internal_error', `${tool.name}: ${(error as Error).message ?? String(error)}`),
    );
  }
}

/** Registers a tool on an McpServer. */
export function registerTool(server: McpServer, tool: ToolDefinition, api: ServerApi): void {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.inputSchema,
      outputSchema: tool.outputSchema,
      ...(tool.annotations ? { annotations: tool.annotations } : {}),
    },
    (input: Record<string, unknown>) => executeTool(tool, input, api),
  );
}

/** A path segment, percent-encoded. */
export const segment = (value: string) => encodeURIComponent(value);

/** Paging input shared by the list tools (the admin API pages with limit plus cursor or offset). */
export const pagingShape = {
  limit: z.number().int().min(1).max(200).optional().describe('Page size'),
  cursor: z.string().min(1).optional().describe('next_cursor of the previous page'),
  offset: z.number().int().min(0).optional().describe('Offset paging, instead of cursor'),
};
