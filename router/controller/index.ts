export { Controller, NODE_WORKER_STOP_TIMEOUT, workerEnv, type ControllerRunOptions } from './controller.js';
export { isControllerToWorker, isWorkerToController, type ControllerToWorker, type WorkerToController } from './ipc.js';
