function Get-MSCommercePolicy {
    <#
    .SYNOPSIS
        Gets one policy: its description and default value.

    .DESCRIPTION
        Calls GET /v1.0/policies/{PolicyId} and returns an MSCommerce.Policy object with the property names of
        Microsoft's module: PolicyId, Description and DefaultValue. The policy ID matches case-insensitively.
        On failure it writes an error whose message starts with "Failed to retrieve policy with PolicyId '<id>'";
        an unknown policy gives ErrorId PolicyNotFound, category ObjectNotFound.

    .PARAMETER PolicyId
        The policy, for example AllowSelfServicePurchase. Binds from the PolicyId property of piped objects.

    .PARAMETER Token
        An access token to use for this call instead of the one Connect-MSCommerce obtained. With -Token the
        command works without Connect-MSCommerce; the service address is then $env:MSCOMMERCE_URI, or
        http://localhost:8080.

    .EXAMPLE
        Get-MSCommercePolicy -PolicyId 'AllowSelfServicePurchase'

        Gets the self-service purchase policy.

    .EXAMPLE
        Get-MSCommercePolicies | Get-MSCommercePolicy

        Gets every policy again by its ID.

    .EXAMPLE
        Get-MSCommercePolicy 'AllowSelfServicePurchase' | Select-Object -ExpandProperty DefaultValue

        Shows the value new products start with.

    .INPUTS
        Objects with a PolicyId property.

    .OUTPUTS
        MSCommerce.Policy. Properties: PolicyId, Description, DefaultValue.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.Policy')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$PolicyId,

        [Parameter(Position = 1)]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        $splatRest = @{
            Method        = 'GET'
            Path          = '/v1.0/policies/{policyId}'
            PathParameter = @{ policyId = $PolicyId }
            Token         = $Token
            ErrorContext  = "Failed to retrieve policy with PolicyId '$PolicyId'"
            TargetObject  = $PolicyId
        }
        try {
            ConvertTo-MSCommercePolicy -InputObject (Invoke-MSCommerceRestMethod @splatRest)
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
        }
    }
}
