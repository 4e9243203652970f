function ConvertTo-MSCommercePolicy {
    <#
    .SYNOPSIS
        Turns a policy of the service into an MSCommerce.Policy object.

    .DESCRIPTION
        Maps id, description and defaultValue to the property names of Microsoft's module: PolicyId, Description
        and DefaultValue.

    .PARAMETER InputObject
        One policy as the service returns it.

    .EXAMPLE
        ConvertTo-MSCommercePolicy -InputObject $response

        Returns an MSCommerce.Policy object.

    .OUTPUTS
        MSCommerce.Policy.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.Policy')]
    param(
        [Parameter(Mandatory)]
        [psobject]$InputObject
    )

    [pscustomobject]@{
        PSTypeName   = 'MSCommerce.Policy'
        PolicyId     = [string]$InputObject.id
        Description  = [string]$InputObject.description
        DefaultValue = [string]$InputObject.defaultValue
    }
}
