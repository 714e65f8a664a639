"""From the classroom to a real account: export to Terraform, CloudFormation and the AWS CLI, and cost.

This layer sits above the model, the engine and the render layer and imports only from them.
"""
