function ConvertTo-MSCommerceUser {
    <#
    .SYNOPSIS
        Turns a user as the service answers it into an MSCommerce.User object.

    .DESCRIPTION
        Keeps the service's fields under PowerShell names, with UserId (so that the object binds to the -UserId
        parameter of Set-MSCommerceUser, Add-MSCommerceSubscriptionUser and Test-MSCommerceAcquisition through the
        pipeline). A field the service leaves out stays $null. InitialPassword is set only on a user just created
        without a password.

    .PARAMETER InputObject
        One user as the service answers it.

    .EXAMPLE
        ConvertTo-MSCommerceUser -InputObject $response

        Returns an MSCommerce.User.

    .OUTPUTS
        MSCommerce.User.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.User')]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [psobject]$InputObject
    )

    process {
        [pscustomobject]@{
            PSTypeName        = 'MSCommerce.User'
            UserId            = $InputObject.id
            UserPrincipalName = $InputObject.userPrincipalName
            DisplayName       = $InputObject.displayName
            UserType          = $InputObject.userType
            AccountEnabled    = $InputObject.accountEnabled
            Roles             = @($InputObject.roles)
            CreatedAt         = ConvertTo-MSCommerceUtcDateTime -Value $InputObject.createdAt
            InitialPassword   = $InputObject.initialPassword
        }
    }
}
