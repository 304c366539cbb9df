/** Renderers that draw on the CPU: WebGL through them is slower than WebAssembly for this model. */
const SOFTWARE_RENDERER = /SwiftShader|llvmpipe|softpipe|Software Rasterizer|Microsoft Basic Render|Mesa OffScreen|Apple Software/i;

/**
 * Whether a WebGL renderer name (`WEBGL_debug_renderer_info`'s `UNMASKED_RENDERER_WEBGL`) is a CPU rasteriser:
 * Chrome's SwiftShader (no GPU, or GPU blocked), Mesa's llvmpipe/softpipe, Windows' Basic Render Driver.
 */
export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERER.test(renderer);
}
