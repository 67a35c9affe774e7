//! Amazon Bedrock as IAM sees it: the Regions and the inference profiles'
//! routes (versioned data), and the ARNs of its resources.

pub mod regions;
pub mod resource;
