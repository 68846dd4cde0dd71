/** Loads the optional OpenBLAS addon (native/) and registers its kernels on tfjs's cpu backend. */
export interface NativeStatus {
  ok: boolean;
  detail: string;
}

export async function registerNativeKernels(): Promise<NativeStatus> {
  return { ok: false, detail: 'addon not built' };
}
