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
        [AllowNull()]
        [psobject]$InputObject
    )

    # An empty answer (HTTP 200 without a body) is a clear error, not a parameter binding error; the callers
    # convert inside their try, so it is written like any other failure.
    if ($null -eq $InputObject) {
        $splatError = @{
            Message  = 'The service answered without a body where a policy was expected.'
            ErrorId  = 'EmptyResponse'
            Category = 'InvalidResult'
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }

    [pscustomobject]@{
        PSTypeName   = 'MSCommerce.Policy'
        PolicyId     = $InputObject.id
        Description  = $InputObject.description
        DefaultValue = $InputObject.defaultValue
    }
}
