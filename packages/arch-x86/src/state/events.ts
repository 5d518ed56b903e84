/**
 * Events in flight between instructions, as KVM's `struct kvm_vcpu_events` carries them:
 * an exception being delivered, an interrupt being injected, NMI state and the SIPI vector.
 */
export interface PendingEvents {
  exception: {
    /** Delivery has started (re-injected on the next entry). */
    injected: boolean;
    /** Raised but delivery not started yet. */
    pending: boolean;
    vector: number;
    hasErrorCode: boolean;
    errorCode: number;
  };
  interrupt: {
    injected: boolean;
    vector: number;
    /** Injected by INT n rather than by the interrupt controller. */
    soft: boolean;
    /** Interrupt shadow, numbered as KVM does: 1 after MOV SS/POP SS, 2 after STI. */
    shadow: number;
  };
  nmi: {
    injected: boolean;
    pending: boolean;
    /** NMIs are blocked (an NMI handler is running). */
    masked: boolean;
  };
  /** Vector of the last Start-Up IPI (application processors). */
  sipiVector: number;
}

export function makePendingEvents(): PendingEvents {
  return {
    exception: { injected: false, pending: false, vector: 0, hasErrorCode: false, errorCode: 0 },
    interrupt: { injected: false, vector: 0, soft: false, shadow: 0 },
    nmi: { injected: false, pending: false, masked: false },
    sipiVector: 0,
  };
}
