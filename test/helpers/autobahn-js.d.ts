/** The part of autobahn-js (npm `autobahn`, CJS, no bundled types) the interop tests use. */
declare module 'autobahn' {
  namespace autobahn {
    type Args = unknown[];
    type Kwargs = Record<string, unknown>;

    // biome-ignore lint/suspicious/noShadowRestrictedNames: autobahn's own API names this class Error (autobahn.Error)
    class Error {
      constructor(error: string, args?: Args, kwargs?: Kwargs);
      error: string;
      args: Args;
      kwargs: Kwargs;
    }

    class Result {
      constructor(args?: Args, kwargs?: Kwargs);
      args: Args;
      kwargs: Kwargs;
    }

    interface Invocation {
      procedure: string;
      progress: ((args?: Args, kwargs?: Kwargs) => void) | null;
      caller?: number;
      caller_authid?: string;
      caller_authrole?: string;
    }

    interface Event {
      publication: number;
      topic: string;
      publisher?: number;
      publisher_authid?: string;
      publisher_authrole?: string;
    }

    interface Registration {
      id: number;
      procedure: string;
    }

    interface Subscription {
      id: number;
      topic: string;
    }

    interface Publication {
      id: number;
    }

    /** when.js promises (autobahn-js uses when.js when it is installed): progress via the third `then` argument. */
    interface WhenPromise<T> extends Promise<T> {
      then<R1 = T, R2 = never>(
        onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
        onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
        onProgress?: (update: unknown) => void,
      ): Promise<R1 | R2>;
    }

    interface Session {
      readonly id: number;
      readonly isOpen: boolean;
      call(procedure: string, args?: Args, kwargs?: Kwargs, options?: Record<string, unknown>): WhenPromise<unknown>;
      register(procedure: string, endpoint: (args: Args, kwargs: Kwargs, details: Invocation) => unknown, options?: Record<string, unknown>): Promise<Registration>;
      subscribe(topic: string, handler: (args: Args, kwargs: Kwargs, details: Event) => void, options?: Record<string, unknown>): Promise<Subscription>;
      publish(topic: string, args?: Args, kwargs?: Kwargs, options?: Record<string, unknown>): Promise<Publication> | null;
      leave(reason?: string, message?: string): void;
    }

    interface CloseDetails {
      reason: string | null;
      message: string | null;
      will_retry: boolean;
    }

    interface ConnectionOptions {
      url: string;
      realm: string;
      serializers?: unknown[];
      protocols?: string[];
      authmethods?: string[];
      authid?: string;
      authextra?: Record<string, unknown>;
      onchallenge?: (session: Session, method: string, extra: Record<string, unknown>) => string | Promise<string>;
      max_retries?: number;
      retry_if_unreachable?: boolean;
      initial_retry_delay?: number;
      /** Called with exceptions raised by app handlers (default: console.error). */
      on_user_error?: (error: unknown, message?: string) => void;
      on_internal_error?: (error: unknown, message?: string) => void;
    }

    class Connection {
      constructor(options: ConnectionOptions);
      onopen: ((session: Session, details: Record<string, unknown>) => void) | null;
      onclose: ((reason: string, details: CloseDetails) => boolean | undefined) | null;
      open(): void;
      close(reason?: string, message?: string): void;
      readonly session: Session | null;
    }

    const serializer: {
      JSONSerializer: new () => unknown;
      MsgpackSerializer: new () => unknown;
      CBORSerializer: new () => unknown;
    };

    const auth_cra: {
      sign(key: string, challenge: string): string;
      derive_key(secret: string, salt: string, iterations?: number, keylen?: number): string;
    };

    const log: { debug: (...a: unknown[]) => void; warn: (...a: unknown[]) => void };
  }
  export = autobahn;
}
