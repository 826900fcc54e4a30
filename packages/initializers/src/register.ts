import * as tf from '@tensorflow/tfjs';
import { Gaussian } from './gaussian';
import { Msra } from './msra';
import { Xavier } from './xavier';

// Lets models whose layers use these initializers be serialized and loaded back. The class names
// (RectifierMsra, …) differ from tfjs's (HeNormal, GlorotNormal, RandomNormal): the class registry
// is flat and a clash would silently replace tfjs's own class.
type Registrable = Parameters<typeof tf.serialization.registerClass>[0];

// (fromConfig is inherited at runtime from tfjs's Serializable; the cast only restores its type.)
for (const cls of [Msra, Xavier, Gaussian])
  tf.serialization.registerClass(cls as unknown as Registrable);
