import * as tf from '@tensorflow/tfjs';
import { SpatialPyramidPooling } from './spatialPyramidPooling';

// Lets tf.loadLayersModel / tf.models.modelFromJSON rebuild models that contain SPP.
tf.serialization.registerClass(SpatialPyramidPooling);
