function ConvertTo-MSCommerceDomain {
    <#
    .SYNOPSIS
        Turns a domain as the service answers it into an MSCommerce.Domain object.

    .DESCRIPTION
        DomainId carries the service's id, so that the object binds to -DomainId through the pipeline.

    .PARAMETER InputObject
        One domain as the service answers it.

    .EXAMPLE
        ConvertTo-MSCommerceDomain -InputObject $response

        Returns an MSCommerce.Domain.

    .OUTPUTS
        MSCommerce.Domain.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.Domain')]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [psobject]$InputObject
    )

    process {
        [pscustomobject]@{
            PSTypeName = 'MSCommerce.Domain'
            DomainId   = $InputObject.id
            IsInitial  = $InputObject.isInitial
            IsDefault  = $InputObject.isDefault
            IsVerified = $InputObject.isVerified
        }
    }
}
