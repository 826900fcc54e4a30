import * as tf from '@tensorflow/tfjs';
import { InputConv2D } from './inputConv2d';
import { SeededDropout } from './seededDropout';
import { SpatialPyramidPooling } from './spatialPyramidPooling';

// Lets tf.loadLayersModel / tf.models.modelFromJSON rebuild models that contain these layers.
tf.serialization.registerClass(SpatialPyramidPooling);
tf.serialization.registerClass(InputConv2D);
tf.serialization.registerClass(SeededDropout);
