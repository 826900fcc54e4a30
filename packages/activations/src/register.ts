import * as tf from '@tensorflow/tfjs';
import { LeakyReLU } from './leakyReLU';
import { PReLU } from './prelu';
import { ReLU } from './relu';

// Lets tf.loadLayersModel rebuild models containing these layers. The class names
// (RectifierPReLU, …) differ from tfjs's built-ins: the registry is flat, and a second 'PReLU'
// would silently replace tfjs's own for every model loaded afterwards.
tf.serialization.registerClass(PReLU);
tf.serialization.registerClass(LeakyReLU);
tf.serialization.registerClass(ReLU);
