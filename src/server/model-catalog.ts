/**
 * Model entries in the shapes clients read. `/v1/models` keeps OpenAI's object (`id`,
 * `object`, `created`, `owned_by`: the SDKs parse it) and adds OpenRouter's fields, which
 * many clients read to configure themselves: `context_length`, `top_provider` (with
 * `max_completion_tokens`), `architecture` (input modalities) and `supported_parameters`
 * (`tools`, `reasoning`, …). `/v1/model/info` is LiteLLM's format (`max_input_tokens`,
 * `max_output_tokens`, `supports_vision`, `supports_function_calling`, …).
 */
import type { ModelInfo } from '../core/model-info';

/** A fixed creation time: the ids are aliases whose real models change underneath. */
const MODEL_CREATED = 1_735_689_600;

export function modelObject(id: string, info: ModelInfo) {
  const input = info.images ? ['text', 'image'] : ['text'];
  return {
    id,
    object: 'model' as const,
    created: MODEL_CREATED,
    owned_by: 'anthropic',
    name: id,
    context_length: info.contextWindow,
    max_completion_tokens: info.maxOutputTokens,
    architecture: { modality: `${input.join('+')}->text`, input_modalities: input, output_modalities: ['text'] },
    top_provider: {
      context_length: info.contextWindow,
      max_completion_tokens: info.maxOutputTokens,
      is_moderated: false,
    },
    supported_parameters: [
      'max_tokens',
      'stop',
      'response_format',
      'structured_outputs',
      ...(info.tools ? ['tools', 'tool_choice', 'parallel_tool_calls'] : []),
      ...(info.reasoning ? ['reasoning', 'include_reasoning'] : []),
    ],
    // The subscription pays: no per-token price.
    pricing: { prompt: '0', completion: '0' },
  };
}

export function liteLlmModelInfo(id: string, info: ModelInfo) {
  return {
    model_name: id,
    litellm_params: { model: id },
    model_info: {
      id,
      key: id,
      mode: 'chat',
      litellm_provider: 'openai',
      max_tokens: info.maxOutputTokens,
      max_input_tokens: info.contextWindow,
      max_output_tokens: info.maxOutputTokens,
      input_cost_per_token: 0,
      output_cost_per_token: 0,
      supports_vision: info.images,
      supports_function_calling: info.tools,
      supports_parallel_function_calling: info.tools,
      supports_tool_choice: info.tools,
      supports_reasoning: info.reasoning,
      supports_response_schema: true,
      supports_prompt_caching: false,
      supports_system_messages: true,
    },
  };
}
