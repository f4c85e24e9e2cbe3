export { Controller, NODE_WORKER_STOP_TIMEOUT, type ControllerRunOptions } from './controller.js';
export { workerEnv } from './process.js';
export { isControllerToWorker, isWorkerToController, type ControllerToWorker, type WorkerToController } from '../../process/index.js';
