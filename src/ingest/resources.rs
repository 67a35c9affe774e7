//! Resource instances → the model.
